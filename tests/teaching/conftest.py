"""The teaching tests' school, published course and a teacher's booking form."""

import pytest

from bibliotal.teaching.models import Course, Institution


@pytest.fixture
def school(world):
    return Institution.objects.create(
        organisation=world.organisation, name="Nordby Skole", kind="folkeskole", area_type="city"
    )


@pytest.fixture
def course(world):
    return Course.objects.create(
        organisation=world.organisation,
        title="Søg smart",
        theme="digital",
        grade_levels=["7", "8", "9"],
        branch=world.north,
        published=True,
        capacity=30,
        contact_email="team@example.org",
    )


def booking_data(school, **changes):
    data = {
        "institution": school.pk,
        "institution_name": "",
        "class_name": "8.b",
        "grade": "8",
        "expected_pupils": 24,
        "teacher_name": "Anne Lærer",
        "teacher_email": "anne@skole.example",
        "wished_dates": "Tirsdag 9. marts kl. 9",
    }
    data.update(changes)
    return data
