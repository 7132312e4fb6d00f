# A key is unique in its organisation, no longer across all of them.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('guidance', '0004_fill_organisation'),
    ]

    operations = [
        migrations.AlterField(
            model_name='guidancerecord',
            name='organisation',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.organisation', verbose_name='organisation'),
        ),
        migrations.AlterField(
            model_name='undonekey',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.organisation', verbose_name='organisation'),
        ),
        migrations.AlterField(
            model_name='guidancerecord',
            name='idempotency_key',
            field=models.CharField(max_length=80, verbose_name='key'),
        ),
        migrations.AlterField(
            model_name='undonekey',
            name='key',
            field=models.CharField(max_length=80, verbose_name='key'),
        ),
        migrations.AddConstraint(
            model_name='guidancerecord',
            constraint=models.UniqueConstraint(fields=('organisation', 'idempotency_key'), name='guidance_key_once_per_organisation'),
        ),
        migrations.AddConstraint(
            model_name='undonekey',
            constraint=models.UniqueConstraint(fields=('organisation', 'key'), name='undone_key_once_per_organisation'),
        ),
    ]
