import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogue.importing import ImportFileError, import_catalogue, read_rows


class Command(BaseCommand):
    help = (
        "Import catalogue projects from a CSV or XLSX file (the layout is in "
        "docs/catalogue-import.md). Rows are upserted by external_id or slug; bad rows are "
        "reported by line and skipped whole. Running the same file twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A .csv or .xlsx file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count everything, save nothing."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(
        self, *args: Any, file: Path, dry_run: bool, no_progress: bool, **options: Any
    ) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        total = self._count_rows(file)
        show_progress = not no_progress and total > 0

        def progress(done: int) -> None:
            if show_progress:
                width = 30
                filled = width * done // total
                sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows")
                sys.stderr.flush()

        try:
            with file.open("rb") as stream:
                report = import_catalogue(
                    read_rows(stream, file.name), dry_run=dry_run, progress=progress
                )
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        if show_progress:
            sys.stderr.write("\n")
        for problem in report.problems:
            self.stderr.write(f"line {problem.line}: {problem.reason}")
        prefix = "dry run, nothing saved: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.problems)} rows with problems"
        )
        if report.problems:
            raise CommandError(f"{len(report.problems)} rows were not imported.", returncode=2)

    @staticmethod
    def _count_rows(file: Path) -> int:
        try:
            with file.open("rb") as stream:
                return sum(1 for _ in read_rows(stream, file.name))
        except ImportFileError:
            return 0
