import pytest

from bibliotal.core.models import ServicePoint
from bibliotal.guidance.models import GuidanceTopic


@pytest.fixture
def desk(world):
    return ServicePoint.objects.get(branch=world.north, name="Skranken")


@pytest.fixture
def south_desk(world):
    return ServicePoint.objects.create(branch=world.south, name="Skranken")


@pytest.fixture
def topics(world):
    return {t.name: t for t in GuidanceTopic.objects.filter(organisation=world.organisation)}


def tap(key, point, topic, **extra):
    return {"key": key, "service_point": point.pk, "topic": topic.pk, **extra}
