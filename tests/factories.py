"""Valid requests a test can start from and change one field of."""

from __future__ import annotations

from typing import Any

COMPLETE_REQUISITES: dict[str, Any] = {
    "ogrn": "1027700132195",
    "okpo": "00032537",
    "inn": "7707083893",
    "kpp": "773601001",
    "okopf": "75403",
    "founder": "Департамент образования города Москвы",
    "okato": "45293554000",
    "oktmo": "45397000",
    "phones": ["+7 (495) 123-45-67"],
}


def school(**changes: Any) -> dict[str, Any]:
    return {"name": "ГБОУ Школа № 1535", "time_zone": "Europe/Moscow", "shifts": 1,
            "requisites": dict(COMPLETE_REQUISITES), **changes}


def person(**changes: Any) -> dict[str, Any]:
    return {
        "name": {"last": "Соколова", "first": "Анна", "middle": "Игоревна"},
        "sex": "female",
        "birth_date": "2014-03-02",
        "documents": {
            "birth_certificate": {"series": "IV-МЮ", "number": "123456",
                                  "issued_on": "2014-03-20"},
            "snils": "112-233-445 95",
        },
        **changes,
    }


def adult(**changes: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "name": {"last": "Петров", "first": "Сергей", "middle": "Иванович"},
        "sex": "male",
        "birth_date": "1985-05-17",
        "documents": {"passport": {"series": "4509", "number": "123456",
                                   "issued_on": "2005-06-01"}},
    }
    return person(**(defaults | changes))
