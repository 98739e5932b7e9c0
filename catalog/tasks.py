"""Celery tasks of the catalog: each fetches by id, calls a service and is safe to run twice."""

from celery import shared_task


@shared_task(name="catalog.generate_thumbnails", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def generate_thumbnails(image_id: int) -> dict:
    """Make (or remake) the WebP thumbnails of one product image; nothing happens if it was deleted."""
    from catalog.services.images import generate_product_image_thumbnails

    return generate_product_image_thumbnails(image_id=image_id)
