"""Run one dispatch tick now, synchronously (what beat triggers every DISPATCH_INTERVAL_SECONDS)."""

from django.core.management.base import BaseCommand

from rollout import dispatch
from rollout.tasks import enqueue_email_chunk, send_email_chunk_now


class Command(BaseCommand):
    help = "Run one dispatch tick now: claim due stages, create deliveries, send email."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Hand email chunks to Celery workers instead of sending them in this process.",
        )

    def handle(self, *args, queue: bool = False, **options):
        enqueue = enqueue_email_chunk if queue else send_email_chunk_now
        report = dispatch.dispatch_due(enqueue=enqueue)
        self.stdout.write(f"Dispatch tick: {report}")
