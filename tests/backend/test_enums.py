"""Enum arguments reach services as the domain's enum, however graphene handed them over."""

from __future__ import annotations

from enum import Enum

import graphene
import pytest

from backend.graphql.enums import as_enum, as_enums, enum_value


class Crop(str, Enum):
    APPLE = "apple"
    ORANGE = "orange"


CropEnum = graphene.Enum.from_enum(Crop, name="CropProbe")


def test_every_shape_of_an_enum_argument():
    for given in (Crop.APPLE, "apple", CropEnum.APPLE, CropEnum.APPLE.value):
        assert as_enum(Crop, given) is Crop.APPLE
        assert enum_value(given) == "apple"
    assert as_enums(Crop, [CropEnum.ORANGE, "apple"]) == [Crop.ORANGE, Crop.APPLE]
    assert as_enums(Crop, None) is None and as_enums(Crop, []) is None
    with pytest.raises(ValueError):
        as_enum(Crop, "durian")
