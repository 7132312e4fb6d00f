import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("teaching", "0002_bookingattempt"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="contact_phone",
            field=models.CharField(
                blank=True,
                help_text="Given to the teacher in the confirmation, for questions and changes.",
                max_length=30,
                verbose_name="team telephone",
            ),
        ),
        migrations.CreateModel(
            name="CourseAddress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(max_length=80, unique=True, verbose_name="address")),
                (
                    "course",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="former_addresses",
                        to="teaching.course",
                        verbose_name="course",
                    ),
                ),
            ],
            options={
                "verbose_name": "former course address",
                "verbose_name_plural": "former course addresses",
            },
        ),
    ]
