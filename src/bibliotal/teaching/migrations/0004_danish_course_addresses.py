"""Course addresses with æ, ø and å written ae, oe and aa (``core.text.danish_slugify``).

Django's slugify dropped the letters: "Informationssøgning på nettet" had the address
"informationssgning-pa-nettet". A course whose address was made that way from its title gets
"informationssoegning-paa-nettet"; the old address is kept as a ``CourseAddress`` and answers
with a permanent redirect, so links already sent to schools keep working. An address that no
longer matches its course's title (the title changed since) stays as it is. Reversing keeps
the new addresses (the old ones still redirect).
"""

import re

from django.db import migrations
from django.utils.text import slugify


def transliterate(apps, schema_editor):
    from bibliotal.core.text import danish_slugify

    Course = apps.get_model("teaching", "Course")
    CourseAddress = apps.get_model("teaching", "CourseAddress")
    taken = set(Course.objects.values_list("slug", flat=True)) | set(
        CourseAddress.objects.values_list("slug", flat=True)
    )
    for course in Course.objects.order_by("pk"):
        old_base = slugify(course.title)[:70] or "forloeb"
        if not re.fullmatch(rf"{re.escape(old_base)}(-\d+)?", course.slug):
            continue
        new_base = danish_slugify(course.title)[:70] or "forloeb"
        if new_base == old_base:
            continue
        slug, number = new_base, 2
        while slug in taken:
            slug, number = f"{new_base}-{number}", number + 1
        CourseAddress.objects.create(course=course, slug=course.slug)
        course.slug = slug
        course.save(update_fields=["slug"])
        taken.add(slug)


class Migration(migrations.Migration):
    dependencies = [
        ("teaching", "0003_course_contact_phone_courseaddress"),
    ]

    operations = [migrations.RunPython(transliterate, migrations.RunPython.noop)]
