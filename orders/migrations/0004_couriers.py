from django.db import migrations

COURIERS = [
    ("cj", "CJ대한통운", "https://trace.cjlogistics.com/next/tracking.html?wblNo={number}", r"^\d{10}(\d{2})?$"),
    ("hanjin", "한진택배", "https://www.hanjin.com/kor/CMS/DeliveryMgr/WaybillResult.do?mCode=MN038&wblnum={number}",
     r"^\d{10}(\d{2})?$"),
    ("lotte", "롯데택배", "https://www.lotteglogis.com/home/reservation/tracking/linkView?InvNo={number}", r"^\d{12,13}$"),
    ("epost", "우체국택배", "https://service.epost.go.kr/trace.RetrieveDomRigiTraceList.comm?sid1={number}", r"^\d{13}$"),
    ("logen", "로젠택배", "https://www.ilogen.com/web/personal/trace/{number}", r"^\d{11}$"),
    ("kdexp", "경동택배", "https://kdexp.com/service/delivery/etc/delivery.do?barcode={number}", r"^\d{9,16}$"),
]


def add(apps, schema_editor):
    Courier = apps.get_model("orders", "Courier")
    for position, (code, name, url, pattern) in enumerate(COURIERS):
        Courier.objects.update_or_create(code=code, defaults={"name": name, "tracking_url_template": url,
                                                              "waybill_pattern": pattern, "position": position})


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_order_permissions")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
