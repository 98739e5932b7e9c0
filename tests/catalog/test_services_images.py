import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.exceptions import CatalogError, InvalidImage
from catalog.models import ProductImage
from catalog.services import (
    add_product_image,
    delete_product_image,
    generate_product_image_thumbnails,
    move_product_image,
    reorder_product_images,
)
from catalog.services.images import thumbnail_widths_for
from tests.catalog.factories import ProductFactory


def image_bytes(size=(1200, 800), image_format="JPEG", mode="RGB", color=(200, 40, 40), **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, image_format, **save_options)
    return buffer.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files() -> list[str]:
    found = []

    def walk(directory):
        try:
            directories, files = default_storage.listdir(directory)
        except FileNotFoundError:
            return
        found.extend(f"{directory}/{name}".lstrip("/") for name in files)
        for child in directories:
            walk(f"{directory}/{child}".lstrip("/"))

    walk("")
    return found


@pytest.fixture
def product(db):
    return ProductFactory()


@pytest.mark.parametrize(
    "data, name",
    [
        (image_bytes(image_format="JPEG"), "a.jpg"),
        (image_bytes(image_format="PNG", mode="RGBA", color=(0, 0, 0, 0)), "a.png"),
        (image_bytes(image_format="WEBP"), "a.webp"),
        (image_bytes(image_format="GIF", mode="P", color=3), "a.gif"),
    ],
)
def test_add_product_image_accepts_the_four_formats_and_makes_webp_thumbnails(
        product, data, name, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = add_product_image(product=product, uploaded_file=upload(data, name), actor=None, alt="앞면")

    image.refresh_from_db()
    assert (image.width, image.height, image.alt, image.position) == (1200, 800, "앞면", 0)
    assert default_storage.exists(image.original.name)
    assert set(image.thumbnails) == {"240", "480", "960"}
    for width, stored_name in image.thumbnails.items():
        assert stored_name == f"products/thumbs/{image.pk}/{width}.webp"
        with default_storage.open(stored_name) as stored, Image.open(stored) as thumbnail:
            assert thumbnail.format == "WEBP"
            assert thumbnail.size == (int(width), round(800 * int(width) / 1200))


def test_transparency_is_kept_in_thumbnails(product):
    data = image_bytes(size=(600, 600), image_format="PNG", mode="RGBA", color=(10, 20, 30, 0))

    image = add_product_image(product=product, uploaded_file=upload(data, "a.png"), actor=None, generate_now=True)

    with default_storage.open(image.thumbnails["240"]) as stored, Image.open(stored) as thumbnail:
        assert thumbnail.mode == "RGBA"
        assert thumbnail.getpixel((5, 5))[3] == 0


def test_thumbnails_never_upscale(product):
    image = add_product_image(product=product, uploaded_file=upload(image_bytes(size=(500, 250))), actor=None,
                              generate_now=True)

    assert set(image.thumbnails) == {"240", "480", "500"}
    with default_storage.open(image.thumbnails["500"]) as stored, Image.open(stored) as thumbnail:
        assert thumbnail.size == (500, 250)
    assert thumbnail_widths_for(100) == [100]
    assert thumbnail_widths_for(2000) == [240, 480, 960]
    assert thumbnail_widths_for(960) == [240, 480, 960]


def test_exif_orientation_is_applied(product):
    # A landscape 1200×600 sensor image tagged "rotate 90° clockwise to display" (orientation 6);
    # its left half red, right half blue.
    picture = Image.new("RGB", (1200, 600), (255, 0, 0))
    picture.paste((0, 0, 255), (600, 0, 1200, 600))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif, quality=95)

    image = add_product_image(product=product, uploaded_file=upload(buffer.getvalue()), actor=None,
                              generate_now=True)

    assert (image.width, image.height) == (600, 1200)  # as displayed
    assert set(image.thumbnails) == {"240", "480", "600"}
    with default_storage.open(image.thumbnails["480"]) as stored, Image.open(stored) as thumbnail:
        assert thumbnail.size == (480, 960)  # portrait now
        top = thumbnail.convert("RGB").getpixel((240, 100))
        bottom = thumbnail.convert("RGB").getpixel((240, 860))
    assert top[0] > 200 and top[2] < 60  # the red (left) half is on top after turning clockwise
    assert bottom[2] > 200 and bottom[0] < 60


def test_a_text_file_renamed_jpg_is_refused_and_nothing_stored(product):
    with pytest.raises(InvalidImage) as caught:
        add_product_image(product=product, uploaded_file=upload(b"just some text, not a picture\n" * 20), actor=None)

    assert caught.value.message == "This file is not an image we accept (JPEG, PNG, WebP, GIF)."
    assert not ProductImage.objects.exists()
    assert stored_files() == []


def test_an_image_of_another_format_is_refused(product):
    with pytest.raises(InvalidImage) as caught:
        add_product_image(product=product, uploaded_file=upload(image_bytes(size=(50, 50), image_format="BMP"),
                                                                "a.bmp"), actor=None)

    assert "JPEG, PNG, WebP, GIF" in caught.value.message
    assert not ProductImage.objects.exists()


def test_a_file_over_the_byte_limit_is_refused(product, settings):
    settings.IMAGE_MAX_BYTES = 10 * 1024 * 1024
    data = image_bytes(size=(100, 100)) + b"\x00" * (10 * 1024 * 1024)

    with pytest.raises(InvalidImage) as caught:
        add_product_image(product=product, uploaded_file=upload(data), actor=None)

    assert caught.value.message == "The image is larger than 10 MB."
    assert not ProductImage.objects.exists()
    assert stored_files() == []


def test_too_many_pixels_is_refused_from_the_header(product, settings):
    settings.IMAGE_MAX_PIXELS = 40_000_000
    # 8000×6000 = 48 MP; a one-colour PNG compresses to a few hundred kB.
    data = image_bytes(size=(8000, 6000), image_format="PNG", mode="1", color=0)
    assert len(data) < settings.IMAGE_MAX_BYTES

    with pytest.raises(InvalidImage) as caught:
        add_product_image(product=product, uploaded_file=upload(data, "big.png"), actor=None)

    assert caught.value.message == "The image is too large (48.0 megapixels; at most 40)."
    assert not ProductImage.objects.exists()
    assert stored_files() == []


def test_a_decompression_bomb_is_refused_before_decoding(product, settings):
    settings.IMAGE_MAX_PIXELS = 1_000_000
    data = image_bytes(size=(3000, 3000), image_format="PNG", mode="1", color=0)  # 9 MP: over twice the limit

    with pytest.raises(InvalidImage) as caught:
        add_product_image(product=product, uploaded_file=upload(data, "bomb.png"), actor=None)

    assert "9.0 megapixels; at most 1" in caught.value.message
    assert not ProductImage.objects.exists()


def test_a_truncated_jpeg_is_refused(product):
    data = image_bytes(size=(1200, 800), quality=95)
    noisy = Image.effect_noise((1200, 800), 80).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "JPEG", quality=95)
    data = buffer.getvalue()

    with pytest.raises(InvalidImage) as caught:
        add_product_image(product=product, uploaded_file=upload(data[: len(data) // 2]), actor=None)

    assert "JPEG, PNG, WebP, GIF" in caught.value.message
    assert not ProductImage.objects.exists()
    assert stored_files() == []


def test_a_png_with_a_broken_checksum_is_refused(product):
    data = bytearray(image_bytes(size=(64, 64), image_format="PNG"))
    data[-20] ^= 0xFF  # inside the last IDAT chunk

    with pytest.raises(InvalidImage):
        add_product_image(product=product, uploaded_file=upload(bytes(data), "a.png"), actor=None)


def test_thumbnails_are_queued_after_commit(product, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        image = add_product_image(product=product, uploaded_file=upload(image_bytes()), actor=None)

    assert image.thumbnails == {}
    assert len(callbacks) == 2  # the thumbnails task, and the storefront's cache version bump
    callbacks[0]()  # Celery is eager in tests: the task runs here
    image.refresh_from_db()
    assert set(image.thumbnails) == {"240", "480", "960"}


def test_generate_thumbnails_is_idempotent_and_ignores_a_deleted_image(product):
    image = add_product_image(product=product, uploaded_file=upload(image_bytes()), actor=None, generate_now=True)
    first = dict(image.thumbnails)

    again = generate_product_image_thumbnails(image_id=image.pk)

    assert again == first
    assert sorted(name for name in stored_files() if "/thumbs/" in name) == sorted(first.values())
    assert generate_product_image_thumbnails(image_id=image.pk + 1000) == {}


def test_the_task_makes_thumbnails(product):
    from catalog.tasks import generate_thumbnails

    image = add_product_image(product=product, uploaded_file=upload(image_bytes()), actor=None)
    generate_thumbnails.delay(image.pk)

    image.refresh_from_db()
    assert set(image.thumbnails) == {"240", "480", "960"}


def test_new_images_go_last(product):
    images = [add_product_image(product=product, uploaded_file=upload(image_bytes(size=(50, 50))), actor=None)
              for _ in range(3)]

    assert [image.position for image in images] == [0, 1, 2]


def test_delete_removes_the_row_its_files_and_closes_the_gap(product, django_capture_on_commit_callbacks):
    first, second, third = (add_product_image(product=product, uploaded_file=upload(image_bytes(size=(300, 300))),
                                              actor=None, generate_now=True) for _ in range(3))
    names = [second.original.name, *second.thumbnails.values()]

    with django_capture_on_commit_callbacks(execute=True):
        delete_product_image(image_id=second.pk, actor=None)

    assert list(ProductImage.objects.order_by("position").values_list("pk", "position")) == [(first.pk, 0), (third.pk, 1)]
    assert not any(default_storage.exists(name) for name in names)
    assert default_storage.exists(first.original.name)


def test_reorder_puts_the_images_in_the_given_order(product):
    a, b, c = (add_product_image(product=product, uploaded_file=upload(image_bytes(size=(50, 50))), actor=None)
               for _ in range(3))

    reorder_product_images(product=product, image_ids=[c.pk, a.pk, b.pk])

    assert list(product.images.order_by("position").values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]


@pytest.mark.parametrize("kind", ["missing", "duplicate", "foreign"])
def test_reorder_refuses_a_list_that_is_not_exactly_the_products_images(product, kind):
    a, b = (add_product_image(product=product, uploaded_file=upload(image_bytes(size=(50, 50))), actor=None)
            for _ in range(2))
    other = add_product_image(product=ProductFactory(), uploaded_file=upload(image_bytes(size=(50, 50))), actor=None)
    ids = {"missing": [a.pk], "duplicate": [a.pk, a.pk, b.pk], "foreign": [a.pk, b.pk, other.pk]}[kind]

    with pytest.raises(CatalogError):
        reorder_product_images(product=product, image_ids=ids)

    assert list(product.images.order_by("position").values_list("pk", flat=True)) == [a.pk, b.pk]


def test_move_image_up_down_and_first(product):
    a, b, c = (add_product_image(product=product, uploaded_file=upload(image_bytes(size=(50, 50))), actor=None)
               for _ in range(3))

    move_product_image(image_id=c.pk, direction="up")
    assert list(product.images.order_by("position").values_list("pk", flat=True)) == [a.pk, c.pk, b.pk]
    move_product_image(image_id=a.pk, direction="down")
    assert list(product.images.order_by("position").values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]
    move_product_image(image_id=b.pk, direction="first")
    assert list(product.images.order_by("position").values_list("pk", flat=True)) == [b.pk, c.pk, a.pk]
