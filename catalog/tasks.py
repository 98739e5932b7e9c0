"""Celery tasks of the catalog: each fetches by id, calls a service and is safe to run twice."""

from celery import shared_task


@shared_task(name="catalog.generate_thumbnails", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def generate_thumbnails(image_id: int) -> dict:
    """Make (or remake) the WebP thumbnails of one product image; nothing happens if it was deleted."""
    from catalog.services.images import generate_product_image_thumbnails

    return generate_product_image_thumbnails(image_id=image_id)


@shared_task(name="catalog.validate_product_upload", ignore_result=True)
def validate_product_upload(reference: str) -> int:
    """Dry-run a large product Excel upload (registration or bulk edit); the page polls its progress."""
    from catalog.services.bulk import run_validation

    verdicts = run_validation(reference=reference)
    return 0 if verdicts is None else len(verdicts)


@shared_task(name="catalog.apply_product_upload", ignore_result=True)
def apply_product_upload(reference: str, actor_id: int) -> int:
    """Apply a validated large product upload in one transaction; idempotent (applied once)."""
    from django.contrib.auth import get_user_model

    from catalog.services.bulk import run_apply

    actor = get_user_model().objects.filter(pk=actor_id).first()
    return run_apply(reference=reference, actor=actor) or 0
