"""Lighthouse (mobile) and axe-core scores of the shop's main pages, printed as one table.

    cd bench && npm install            # once: lighthouse and axe-core (bench/package.json)
    .venv/bin/python bench/lighthouse_axe.py [--base-url http://127.0.0.1:8000]

Against ``make run``'s shop by default (the demo data and logins of seed_demo: shopper@example.com
and operator@example.com, password demo1234!). Pages: home, a level-1 category, search "니트", a
product page, the cart (with one item), checkout, and for axe also the console's order list.
Lighthouse runs with ``CHROME_PATH=/usr/bin/chromium`` and its default mobile preset, only the
performance and accessibility categories; the signed-in pages get the shopper's session cookie.
axe-core is injected with Playwright into a phone-sized Chromium page and counts the serious and
critical violations (their rule ids are printed). Reports go to bench/results/lighthouse/.
Loopback only. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
PASSWORD = "demo1234!"


def login(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def find_pages(page, base: str) -> dict[str, str]:
    """The URLs to score, found on the running shop itself (its demo data)."""
    page.goto(f"{base}/")
    html = page.content()
    category = re.search(r'href="(/category/[^"/]+/)"', html).group(1)
    product = re.search(r'class="product-card" href="(/products/\d+/)"', html).group(1)
    return {
        "home": "/",
        "category": category,
        "search 니트": "/search/?q=" + quote("니트"),
        "product": product,
    }


def put_in_cart(page, base: str, product_path: str) -> None:
    page.goto(base + product_path)
    picker = page.locator("select[data-option-group]")
    for index in range(picker.count()):  # choose the first option of every group
        picker.nth(index).select_option(index=1)
    sku_select = page.locator("select#sku-select")
    if sku_select.count() and sku_select.is_visible():
        sku_select.select_option(index=1)
    page.locator("button[name=action][value=cart]").click()
    page.wait_for_load_state()


def axe_violations(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{item['id']}({len(item['nodes'])})" for item in result["violations"]
            if item["impact"] in ("serious", "critical")]


def lighthouse(url: str, *, cookie: str, out: Path) -> tuple[str, str]:
    """Performance and accessibility scores; a run that fails (a starved machine times out) is tried again."""
    for _attempt in range(2):
        try:
            return _lighthouse_once(url, cookie=cookie, out=out)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            print(f"  lighthouse failed on {url}: {error}", file=sys.stderr)
    return "error", "error"


def _lighthouse_once(url: str, *, cookie: str, out: Path) -> tuple[str, str]:
    command = [str(LIGHTHOUSE), url, "--only-categories=performance,accessibility", "--output=json",
               f"--output-path={out}", f"--chrome-flags={CHROME_FLAGS}", "--quiet"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=240,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    report = json.loads(out.read_text())
    categories = report["categories"]
    return f"{categories['performance']['score']:.2f}", f"{categories['accessibility']['score']:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--shopper", default="shopper@example.com")
    parser.add_argument("--operator", default="operator@example.com")
    parser.add_argument("--skip-lighthouse", action="store_true")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists() or not AXE.exists():
        sys.exit("run `npm install` in bench/ first (lighthouse and axe-core)")
    base = args.base_url.rstrip("/")
    out_dir = HERE / "results" / "lighthouse"
    out_dir.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        phone = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
                 "has_touch": True, "locale": "ko-KR",
                 "bypass_csp": True}  # the shop's CSP would refuse the injected axe script
        anonymous = browser.new_context(**phone).new_page()
        pages = find_pages(anonymous, base)
        shopper_context = browser.new_context(**phone)
        shopper = shopper_context.new_page()
        login(shopper, base, args.shopper)
        put_in_cart(shopper, base, pages["product"])
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in shopper_context.cookies())
        signed_in = {"cart": "/cart/", "checkout": "/checkout/"}
        operator_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR",
                                               bypass_csp=True)
        operator = operator_context.new_page()
        login(operator, base, args.operator)

        for label, path in {**pages, **signed_in}.items():
            page = shopper if label in signed_in else anonymous
            rows.append([label, path, axe_violations(page, base + path)])
        rows.append(["console order list", "/console/orders/", axe_violations(operator, base + "/console/orders/")])
        browser.close()

    print(f"\n{'page':<22} {'performance':>11} {'accessibility':>13}  axe serious+critical")
    for label, path, violations in rows:
        scores = ("-", "-")
        if not args.skip_lighthouse and not label.startswith("console"):
            name = re.sub(r"\W+", "-", label).strip("-") or "page"
            scores = lighthouse(base + path, cookie=cookie if label in ("cart", "checkout") else "",
                                out=out_dir / f"{name}.json")
        print(f"{label:<22} {scores[0]:>11} {scores[1]:>13}  {len(violations)} {' '.join(violations)}", flush=True)


if __name__ == "__main__":
    main()
