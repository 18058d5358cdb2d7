import pytest

from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError
from lmp_helpers.pulje import parse_pulje


def test_codebook_groups_and_pulje():
    cb = load_codebook()
    assert list(cb.groups) == ["ppt", "skoleleder", "skoleeier"]
    assert cb.groups["ppt"].pulje == (1, 2, 3)
    # The 2016 school surveys covered pulje 1 and 2 only.
    assert cb.groups["skoleleder"].pulje == (1, 2)
    assert cb.groups["skoleeier"].pulje == (1, 2)


def test_every_figure_item_exists_and_points_back():
    cb = load_codebook()
    for fig in cb.figures.values():
        for item in fig.items:
            assert cb.items[item].figure == fig.key
    assert len(cb.figures["fig2_1"].items) == 4
    assert cb.items["ressurs"].groups == ("ppt",)
    assert "ressurs" not in cb.items_for_group("skoleleder")


def test_scale_uses_report_middle_label():
    cb = load_codebook()
    assert cb.scale[3] == "Verken eller"
    assert [cb.scale[c] for c in cb.top_two] == ["I stor grad", "I svært stor grad"]


@pytest.mark.parametrize(
    "value,expected", [(1, 1), ("2", 2), (" 3 ", 3), ("alle", "alle"), ("ALL", "alle"), (2.0, 2)]
)
def test_parse_pulje_accepts(value, expected):
    assert parse_pulje(value) == expected


@pytest.mark.parametrize("value", [4, "4", "x", "", None, True, 0, 1.5])
def test_parse_pulje_rejects_with_allowed_values(value):
    with pytest.raises(LmpInputError) as err:
        parse_pulje(value)
    assert "1, 2, 3, alle" in str(err.value)
