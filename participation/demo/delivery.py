"""Demo delivery: the Remake process's accepted proposals with budget lines, milestones with
before, during and after photos, and one item residents reopened by answering "not yet"."""

import io
from datetime import date, timedelta

from flask import current_app
from PIL import Image, ImageDraw
from werkzeug.datastructures import FileStorage

from participation.delivery import operations as delivery


def _picture(sky, ground, mark):
    """A small illustrative photo (a street scene in flat colours), as a JPEG upload."""
    image = Image.new("RGB", (640, 480), sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 480), fill=ground)
    draw.polygon([(260, 480), (380, 480), (330, 300), (310, 300)], fill=(90, 90, 90))
    for x in mark:
        draw.rectangle((x, 150, x + 8, 300), fill=(60, 60, 60))
        draw.ellipse((x - 12, 135, x + 20, 160), fill=(255, 230, 120))
    data = io.BytesIO()
    image.save(data, "JPEG", quality=80)
    data.seek(0)
    return FileStorage(stream=data, filename="photo.jpg", content_type="image/jpeg")


def _photo(milestone, council, stage, alt, sky, ground, mark=()):
    delivery.add_milestone_photos(milestone, council, [(_picture(sky, ground, mark), alt)], stage)


def _steps(record, council, today, rows):
    for milestone, (planned, actual, progress, note) in zip(record.milestones, rows, strict=True):
        delivery.change_milestone(
            milestone, council, planned_date=today + timedelta(days=planned),
            actual_date=None if actual is None else today + timedelta(days=actual),
            progress=progress, note=note, tell=False,
        )  # fmt: skip


def seed_delivery(council, residents, lights, crossing):
    """Budget lines, milestones and photos of the two accepted proposals; the crossing is
    marked done and residents reopen it (the caller commits)."""
    today = date.today()
    dark, dusk, grass = (40, 40, 70), (200, 170, 140), (110, 150, 90)

    record = delivery.delivery_of(lights)
    delivery.set_budget_line(lights, council, {
        "fiscal_year": "2570", "plan_code": "ผ.02/2570-015",
        "ordinance_item": "แผนงานเคหะและชุมชน งานไฟฟ้าถนน ค่าครุภัณฑ์ไฟฟ้า",
        "amount_baht": "1200000", "unit": "กองช่าง", "contact": "053-000-000 ต่อ 21",
    })  # fmt: skip
    _steps(record, council, today, [
        (-50, -48, 100, "สำรวจจุดติดตั้ง 20 จุดร่วมกับชุมชน"),
        (-35, -30, 100, "ประกวดราคาอิเล็กทรอนิกส์ มีผู้ยื่น 3 ราย"),
        (-25, -24, 100, "ลงนามสัญญาเลขที่ 14/2570"),
        (-5, None, 60, "ซอย 3 เสร็จครบ 12 ต้น กำลังติดตั้งซอย 5"),
        (20, None, 0, ""),
    ])  # fmt: skip
    _photo(record.milestones[0], council, "before", "ซอย 3 ตอนหัวค่ำ ยังไม่มีไฟส่องสว่าง", dark,
           (60, 60, 60))  # fmt: skip
    _photo(record.milestones[3], council, "during", "เสาไฟโซลาร์เซลล์ต้นแรกในซอย 3", dusk, grass,
           (200,))  # fmt: skip

    record = delivery.delivery_of(crossing)
    delivery.set_budget_line(crossing, council, {
        "fiscal_year": "2569", "plan_code": "ผ.02/2569-031",
        "ordinance_item": "แผนงานการรักษาความสงบภายใน งานจราจร ค่าก่อสร้างทางม้าลายยกระดับ",
        "amount_baht": "350000", "unit": "กองช่าง", "contact": "053-000-000 ต่อ 22",
    })  # fmt: skip
    _steps(record, council, today, [
        (-40, -41, 100, "ออกแบบร่วมกับตำรวจภูธรแม่เหียะ"),
        (-30, -28, 100, "จัดซื้อโดยวิธีเฉพาะเจาะจง"),
        (-25, -25, 100, "ลงนามสัญญาเลขที่ 9/2569"),
        (-12, -8, 100, "ก่อสร้างทางม้าลายยกระดับและติดป้ายเขตโรงเรียน"),
        (-5, -4, 100, "ส่งมอบงาน คณะกรรมการตรวจรับแล้ว"),
    ])  # fmt: skip
    _photo(record.milestones[0], council, "before", "หน้าประตูโรงเรียนก่อนทำทางม้าลาย",
           (150, 190, 230), (120, 120, 120))  # fmt: skip
    _photo(record.milestones[4], council, "after", "ทางม้าลายยกระดับที่ทาสีเสร็จแล้ว",
           (150, 190, 230), (230, 230, 230))  # fmt: skip
    delivery.mark_done(crossing, council)
    # Residents who supported it walk the road every morning: the paint is already fading
    # and trucks still speed; enough of them say "not yet" and it is reopened for review.
    delivery.answer_fixed(crossing, residents[6], "yes")
    threshold = current_app.config["DELIVERY_REOPEN_THRESHOLD"]
    for resident in residents[:threshold]:
        delivery.answer_fixed(crossing, resident, "not_yet")
