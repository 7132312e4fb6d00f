"""The database keeps ``GuidanceDayTotal``: triggers on the guidance records' table add a
record's count to its (service point, day, topic) when it is stored and counts, and take it
away when it is undone, changed or deleted. A trigger sees every writer (a tap's ``INSERT … ON
CONFLICT``, the typed grid, the admin, imports, the demo and the reset), so the totals cannot
drift from the records the way a counter kept by each writer could.

``install`` runs after every ``migrate`` (``GuidanceConfig.ready`` connects it): SQLite drops a
table's triggers when a migration rebuilds the table, so they are made again where missing and
the totals are then worked out afresh from the records.
"""

from __future__ import annotations

RECORDS = "guidance_guidancerecord"
TOTALS = "guidance_guidancedaytotal"
TRIGGERS = ("guidance_total_insert", "guidance_total_update", "guidance_total_delete")

_ADD = f"""
INSERT INTO {TOTALS} (service_point_id, day, topic_id, total)
SELECT NEW.service_point_id, NEW.day, NEW.topic_id, NEW.count WHERE NEW.undone_at IS NULL
ON CONFLICT (service_point_id, day, topic_id) DO UPDATE SET total = {TOTALS}.total + excluded.total
"""
_TAKE = f"""
UPDATE {TOTALS} SET total = total - OLD.count
WHERE OLD.undone_at IS NULL AND service_point_id = OLD.service_point_id AND day = OLD.day
  AND topic_id = OLD.topic_id
"""

SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS guidance_total_insert AFTER INSERT ON {RECORDS} "
    f"BEGIN {_ADD}; END",
    f"CREATE TRIGGER IF NOT EXISTS guidance_total_update AFTER UPDATE OF "
    f"service_point_id, day, topic_id, count, undone_at ON {RECORDS} "
    f"BEGIN {_TAKE}; {_ADD}; END",
    f"CREATE TRIGGER IF NOT EXISTS guidance_total_delete AFTER DELETE ON {RECORDS} "
    f"BEGIN {_TAKE}; END",
]

POSTGRESQL = [
    f"""
CREATE OR REPLACE FUNCTION guidance_total_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_TAKE};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {_ADD};
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$
""",
    f"DROP TRIGGER IF EXISTS guidance_total_insert ON {RECORDS}",
    f"DROP TRIGGER IF EXISTS guidance_total_update ON {RECORDS}",
    f"DROP TRIGGER IF EXISTS guidance_total_delete ON {RECORDS}",
    f"CREATE TRIGGER guidance_total_insert AFTER INSERT ON {RECORDS} "
    f"FOR EACH ROW EXECUTE FUNCTION guidance_total_keep()",
    f"CREATE TRIGGER guidance_total_update AFTER UPDATE OF "
    f"service_point_id, day, topic_id, count, undone_at ON {RECORDS} "
    f"FOR EACH ROW EXECUTE FUNCTION guidance_total_keep()",
    f"CREATE TRIGGER guidance_total_delete AFTER DELETE ON {RECORDS} "
    f"FOR EACH ROW EXECUTE FUNCTION guidance_total_keep()",
]

REBUILD = [
    f"DELETE FROM {TOTALS}",
    f"""
INSERT INTO {TOTALS} (service_point_id, day, topic_id, total)
SELECT service_point_id, day, topic_id, SUM(count) FROM {RECORDS}
WHERE undone_at IS NULL GROUP BY service_point_id, day, topic_id
""",
]


def installed(connection) -> set[str]:
    """The triggers of ``TRIGGERS`` the database has."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [RECORDS],
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s)", [RECORDS]
            )
        return {name for (name,) in cursor.fetchall()} & set(TRIGGERS)


def install(connection) -> bool:
    """Make the triggers where one is missing and then work the totals out afresh; True when
    it did. Nothing happens before the tables exist (a migration back to before them)."""
    tables = set(connection.introspection.table_names())
    if not {RECORDS, TOTALS} <= tables or connection.vendor not in ("sqlite", "postgresql"):
        return False
    if installed(connection) == set(TRIGGERS):
        return False
    from django.db import transaction

    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in (SQLITE if connection.vendor == "sqlite" else POSTGRESQL) + REBUILD:
            cursor.execute(statement)
    return True


def after_migrate(sender, using, **kwargs) -> None:
    from django.db import connections

    install(connections[using])
