# Tap keys are unique per organisation (issue 19): first the organisation column, empty.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('guidance', '0002_undonekey'),
    ]

    operations = [
        migrations.AddField(
            model_name='guidancerecord',
            name='organisation',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.organisation', verbose_name='organisation'),
        ),
        migrations.AddField(
            model_name='undonekey',
            name='organisation',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.organisation', verbose_name='organisation'),
        ),
    ]
