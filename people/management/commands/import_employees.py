"""manage.py import_employees FILE.csv: create or update employees; bad rows reported by line."""

from django.core.management.base import BaseCommand, CommandError

from people.importing import import_employees


class Command(BaseCommand):
    help = (
        "Create or update employees from a CSV file with the columns email, first_name, last_name, "
        "department, team, location, role, manager_email, time_zone. Bad rows are reported by line "
        "number and skipped; the others are imported. Exits non-zero if any row failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="path to the CSV file (UTF-8, header row first)")

    def handle(self, *args, file: str, **options) -> None:
        try:
            with open(file, encoding="utf-8-sig", newline="") as f:
                report = import_employees(f)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        for error in report.errors:
            self.stderr.write(f"{file}: {error}")
        self.stdout.write(report.summary())
        if report.has_errors:
            raise CommandError(f"{len(report.errors)} row(s) failed; the other rows were imported.")
