import pytest

from knowledge.regions import gazetteer


@pytest.mark.parametrize(
    ("said", "region"),
    [
        ("宜兴", "无锡市"),
        ("江阴市", "无锡市"),
        ("无锡", "无锡市"),
        ("梁溪区", "无锡市"),
        ("章贡区", "赣州市"),
        ("瑞金", "赣州市"),
        ("赣州", "赣州市"),
        ("渝中区", "重庆市"),
        ("万州", "重庆市"),
        ("酉阳", "重庆市"),
        ("重庆", "重庆市"),
        ("张店", "淄博市"),
        ("博山区", "淄博市"),
        ("淄博", "淄博市"),
        ("江苏", "江苏省"),
        ("南京", "江苏省"),
        ("我住在宜兴那边", "无锡市"),
        ("俺是张店的", "淄博市"),
    ],
)
def test_normalise(said: str, region: str) -> None:
    assert gazetteer().normalise(said) == region


@pytest.mark.parametrize("said", ["北京", "上海市", "", None, "我想长寿", "南岸边上", "<script>"])
def test_unknown_places_are_not_guessed(said: str | None) -> None:
    assert gazetteer().normalise(said) is None


def test_jiangsu_applies_to_wuxi() -> None:
    assert gazetteer().applicable("无锡市") == ["无锡市", "江苏省"]
    assert gazetteer().applicable("赣州市") == ["赣州市"]


def test_every_region_has_districts_and_no_name_is_ambiguous() -> None:
    g = gazetteer()
    assert g.names == ["无锡市", "赣州市", "重庆市", "淄博市", "江苏省"]
    assert all(region.places for region in g.regions)
    assert len(g.index) > 150  # index construction raises on ambiguous names
