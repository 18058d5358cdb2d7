"""Primary and secondary suppression («prikking»), decided over the family {alle, 1, 2, 3}."""

import numpy as np
import pandas as pd
import pytest

from lmp_helpers import suppression, tables
from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpInputError


def frame(group, pulje, answers=None, fill=4):
    cb = load_codebook()
    data = {"respondent_id": [f"{group}-{i}" for i in range(len(pulje))], "pulje": np.array(pulje, dtype="int64")}
    for item in cb.items_for_group(group):
        data[item] = pd.array((answers or {}).get(item, [fill] * len(pulje)), dtype="Int64")
    return pd.DataFrame(data)


def hidden(parts, min_n=5):
    h, total = suppression.suppress_family(np.array([parts]), min_n)
    return h[0].tolist(), bool(total[0])


# -- the rule itself ------------------------------------------------------------------------------
def test_primary_threshold_is_n_below_min_n():
    # n = 4 hidden, n = 5 shown (min_n = 5); the other pulje is large so no secondary is needed.
    assert hidden([4, 20, 20]) == ([True, True, False], False)  # 4 hidden -> smallest other (20, pulje 2) too
    assert hidden([5, 20, 20]) == ([False, False, False], False)
    assert hidden([2, 20, 20], min_n=3) == ([True, True, False], False)
    assert hidden([3, 20, 20], min_n=3) == ([False, False, False], False)


def test_owners_split_4_plus_6():
    # Skoleeiere: pulje 1 n=4, pulje 2 n=6, no pulje 3 (-1). alle = 10 is shown, so pulje 2 must be hidden
    # too, otherwise pulje 1 = alle − pulje 2.
    assert hidden([4, 6, -1]) == ([True, True, False], False)


def test_secondary_picks_the_smallest_shown_pulje():
    assert hidden([4, 15, 7]) == ([True, False, True], False)
    # ties: the lower pulje
    assert hidden([3, 9, 9]) == ([True, True, False], False)


def test_two_hidden_cells_protect_each_other():
    assert hidden([4, 3, 10]) == ([True, True, False], False)


def test_zero_cells_do_not_protect():
    # pulje 3 has n = 0: hiding it protects nothing (0 is 0), so pulje 2 is hidden as well.
    assert hidden([4, 10, 0]) == ([True, True, True], False)
    # a lone n = 0 cell discloses nothing: nothing else is hidden
    assert hidden([0, 10, 12]) == ([True, False, False], False)


def test_everything_small_hides_the_total():
    assert hidden([1, 2, 1]) == ([True, True, True], True)
    assert hidden([4, -1, -1]) == ([True, False, False], True)


def rule(parts, min_n):
    """The rule in plain Python, from its statement: parts below min_n are hidden (absent ones, n < 0, do not
    exist), the total likewise; if then exactly one hidden cell has respondents (it could be recovered from the
    total and the shown parts), the smallest part still shown with respondents is hidden too (the first on a tie)."""
    hidden = [0 <= n < min_n for n in parts]
    total = sum(n for n in parts if n >= 0)
    hidden_total = total < min_n
    protective = sum(h and n > 0 for h, n in zip(hidden, parts, strict=True)) + (hidden_total and total > 0)
    if protective == 1:
        shown = [(n, i) for i, n in enumerate(parts) if n > 0 and not hidden[i]]
        hidden[min(shown)[1]] = True
    return hidden, hidden_total


def test_every_small_family_follows_the_rule():
    """All families of one to four parts over counts around the threshold (absent, 0, 1, min_n ± 1, large)."""
    import itertools

    checked = 0
    for min_n in (1, 3, 5):
        values = sorted({-1, 0, 1, min_n - 1, min_n, min_n + 1, 9})
        for size in range(1, 5):
            for parts in itertools.product(values, repeat=size):
                assert hidden(list(parts), min_n) == rule(list(parts), min_n), (parts, min_n)
                checked += 1
    assert checked > 3000


def test_n_shown_only_zero_survives():
    assert suppression.n_shown(7, False) == 7
    assert suppression.n_shown(4, True) is None
    assert suppression.n_shown(9, True) is None  # a secondary cell's n would give the hidden n away
    assert suppression.n_shown(0, True) == 0


@pytest.mark.parametrize("bad", [0, -1, "x", 2.5, True, None])
def test_min_n_validation(bad):
    with pytest.raises(LmpInputError, match="min_n"):
        suppression.check_min_n(bad)


def test_min_n_accepts_int_like():
    assert suppression.check_min_n("7") == 7
    assert suppression.check_min_n(np.int64(3)) == 3


# -- applied in the tables ------------------------------------------------------------------------
def owners_survey():
    return {
        "ppt": frame("ppt", [1] * 6 + [2] * 15 + [3] * 7),
        "skoleleder": frame("skoleleder", [1] * 16 + [2] * 20),
        "skoleeier": frame("skoleeier", [1] * 4 + [2] * 6),
    }


def rows(table, group):
    return table[table["group"] == group]


@pytest.mark.parametrize("figure", ["fig2_1", "fig3_1", "fig4_1"])
def test_tables_hide_owners_in_pulje_1_and_2_but_show_alle(figure):
    survey = owners_survey()
    expected = {"1": True, "2": True, "alle": False}
    for pulje, is_hidden in expected.items():
        t = tables.figure_table(figure, pulje, survey=survey)
        owners = rows(t, "skoleeier")
        assert owners["suppressed"].tolist() == [is_hidden] * 4
        if is_hidden:
            assert owners["share_pct"].isna().all() and owners["ci_low_pct"].isna().all()
            assert owners["ci_high_pct"].isna().all() and owners["n"].isna().all()
            assert any(note.startswith(":") for note in t.attrs["notes"])
        else:
            assert owners["n"].tolist() == [10] * 4 and owners["share_pct"].tolist() == [100.0] * 4
        # PPT (6/15/7) and skoleledere (16/20) are never hidden
        assert not rows(t, "ppt")["suppressed"].any() and not rows(t, "skoleleder")["suppressed"].any()


def test_single_pulje_request_matches_the_side_by_side_family():
    """`lmp tables --pulje P` hides exactly the cells a table of alle, 1, 2, 3 side by side hides."""
    survey = owners_survey()
    # one item where PPT pulje 1 has only 4 answers: PPT family 4/15/7 -> hide 1 and 3 (smallest), show 2, alle
    answers = [5, 5, 5, 5, None, None] + [4] * 15 + [1] * 7
    survey["ppt"] = frame("ppt", [1] * 6 + [2] * 15 + [3] * 7, {"rolle_uklar": answers})
    expected = {"1": True, "2": False, "3": True, "alle": False}
    for pulje, is_hidden in expected.items():
        t = tables.figure_table("fig4_1", pulje, survey=survey)
        cell = t[(t["group"] == "ppt") & (t["item"] == "rolle_uklar")]
        assert cell["suppressed"].tolist() == [is_hidden], pulje
        other = t[(t["group"] == "ppt") & (t["item"] != "rolle_uklar")]
        assert not other["suppressed"].any()


def test_distribution_and_fig4_2_are_suppressed_too():
    survey = {"ppt": frame("ppt", [1] * 3 + [2] * 10 + [3] * 8, fill=5)}
    t = tables.figure_table("fig4_2", 1, survey=survey)
    assert len(t) == 5 and t["suppressed"].all() and t["share_pct"].isna().all() and t["n"].isna().all()
    d = tables.distribution_table("rolle_uklar", 1, survey=survey, groups=["ppt"])
    assert d["suppressed"].all() and d["count"].isna().all() and d["share_pct"].isna().all()
    # pulje 3 (n = 8) is hidden by secondary suppression, pulje 2 (n = 10) and alle are shown
    assert tables.figure_table("fig4_2", 3, survey=survey)["suppressed"].all()
    assert not tables.figure_table("fig4_2", 2, survey=survey)["suppressed"].any()


def test_respondent_counts_follow_the_same_rule():
    survey = owners_survey()
    c1 = tables.respondent_counts(1, survey=survey).set_index("group")
    assert c1.loc["skoleeier", "suppressed"] and pd.isna(c1.loc["skoleeier", "n"])
    assert c1.loc["ppt", "n"] == 6
    c2 = tables.respondent_counts(2, survey=survey).set_index("group")
    assert c2.loc["skoleeier", "suppressed"]
    call = tables.respondent_counts("alle", survey=survey).set_index("group")
    assert call.loc["skoleeier", "n"] == 10 and not call.loc["skoleeier", "suppressed"]


def test_display_table_shows_colon_for_suppressed():
    t = tables.display_table("fig2_1", 1, survey=owners_survey())
    owners = t[t["Gruppe"] == "Skoleeiere"]
    assert set(owners.iloc[:, 2:].to_numpy().ravel()) == {":"}
