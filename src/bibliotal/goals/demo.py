"""The demo imports Herning's goals for 2021 (the seed document ships with the package)."""

from __future__ import annotations

from bibliotal.core.demo import DemoContext, demo_step


@demo_step(order=50, name="goals")
def goals_step(context: DemoContext) -> None:
    from importlib import resources

    from bibliotal.goals.services import import_budget_document

    data = resources.files("bibliotal.goals").joinpath("seeds/maal-budget-2021.txt").read_bytes()
    result = import_budget_document(
        organisation=context.organisation,
        data=data,
        filename="maal-budget-2021.txt",
        user=None,
        dry_run=False,
    )
    context.log.append(result.summary())
