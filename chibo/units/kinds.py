"""The nesting of unit kinds that chibo starts with. It is data: the rows live in KindRule,
seeded from this table by a migration, and can be changed by an administrator.

Sources: Party Charter (2011) art. 21–25 for central → province → district → base → cell → group;
294-QĐ/TW (26/5/2025, in force 1/7/2025) for the end of the district level and commune/ward
committees placed under the province as the direct superior of base organisations (RULES.md §0).
"""

CHARTER = "Điều lệ Đảng (2011), Điều 21–25"
REFORM_2025 = "294-QĐ/TW (26/5/2025), hiệu lực 1/7/2025"

DEFAULT_RULES: list[tuple[str, str, str]] = [
    ("", "central", CHARTER),
    ("", "province", "Triển khai cấp tỉnh (province-only installation)"),
    ("central", "province", CHARTER),
    ("province", "district", CHARTER + "; bỏ cấp huyện từ 1/7/2025"),
    ("province", "commune", REFORM_2025),
    ("province", "base", CHARTER),
    ("district", "base", CHARTER),
    ("commune", "base", REFORM_2025),
    ("commune", "cell", REFORM_2025),
    ("base", "cell", CHARTER),
    ("base", "group", CHARTER),
    ("cell", "group", CHARTER),
]
