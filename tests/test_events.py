"""Event rules, one short sentence (our own words) per rule class, through the real pipeline."""

from __future__ import annotations

import pytest

from frontlines.records import Article


@pytest.fixture(scope="module")
def events_of(extractor):
    def run(text: str, published: str = "2017-11-09") -> list[tuple[str, str, str | None, str | None]]:
        ex = extractor.extract(Article(text=text, published=published))
        return [(e.type, e.place.surface, e.date, e.date_precision) for e in ex.events]

    return run


def _types_at(evs, place):
    return {t for t, p, _, _ in evs if p == place}


# --- triggers ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "Iraqi troops recaptured Ramadi on Monday.",
    "Kurdish fighters drove Islamic State out of Ramadi on Monday.",
    "The militants swept into Ramadi on Monday.",
    "Government forces took over Ramadi on Monday.",
    "Ramadi fell to Islamic State on Monday.",
    "On Monday the jihadists had taken Ramadi.",
])
def test_capture_triggers(events_of, sentence) -> None:
    evs = events_of(sentence)
    assert ("capture", "Ramadi", "2017-11-06", "day") in evs, evs


@pytest.mark.parametrize("sentence", [
    "Mosul remains in Islamic State hands.",
    "Mosul, held by Islamic State since June 2014, is home to a million people.",
    "Islamic State still holds Mosul.",
    "Residents fled IS-held Mosul.",
])
def test_control_is_dated_at_publication_not_at_since(events_of, sentence) -> None:
    evs = events_of(sentence)
    assert ("control", "Mosul", "2017-11-09", "week") in evs, evs


def test_airstrike_attack_clash_and_arrest(events_of) -> None:
    assert ("airstrike", "Raqqa", "2017-11-08", "day") in events_of("Coalition jets struck militant positions around Raqqa on Wednesday.")
    assert ("attack", "Aden", "2017-11-05", "day") in events_of("On Sunday a suicide car bomb exploded at a checkpoint in Aden.")
    assert ("clash", "Hawija", "2017-11-08", "day") in events_of("Iraqi forces launched an offensive on Hawija on Wednesday.")
    assert ("arrest", "Arish", "2017-11-08", "day") in events_of("Police detained twelve suspected militants in Arish on Wednesday.")


def test_ambiguous_words_need_their_part_of_speech(events_of) -> None:
    # "Hit" the town is not "hit" the verb; "in advance" is not an advance
    assert not any(t == "attack" for t, *_ in events_of("Residents of Hit said the market reopened."))
    assert events_of("Damascus said it had been informed in advance of the talks in Aleppo.") == []


# --- plans, conditions, negations ------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "The army announced plans to take Hawija.",
    "Commanders vowed to recapture Hawija within weeks.",
    "Hawija could fall within days, officials said.",
    "If the army enters Hawija, thousands may flee.",
    "The militants did not attack Hawija.",
])
def test_plans_and_conditions_are_not_events(events_of, sentence) -> None:
    assert events_of(sentence) == []


def test_purpose_clause_keeps_the_offensive_only(events_of) -> None:
    evs = events_of("On Monday the army launched an offensive to retake Hawija.")
    assert evs == [("clash", "Hawija", "2017-11-06", "day")]


def test_backed_by_air_strikes_is_support_not_an_event(events_of) -> None:
    evs = events_of("Kurdish forces backed by US air strikes seized Sinjar on Friday.")
    assert evs == [("capture", "Sinjar", "2017-11-03", "day")]


# --- places ----------------------------------------------------------------------------------------------

def test_reference_points_and_containers_are_not_the_place(events_of) -> None:
    evs = events_of("Iraqi forces recaptured the town of Rutba in Anbar province on Thursday.")
    assert [p for _, p, _, _ in evs] == ["Rutba"]
    evs = events_of("Troops retook Tal Afar, west of Mosul, and Hawija on Friday.")
    assert {p for _, p, _, _ in evs} == {"Tal Afar", "Hawija"}


def test_coordinated_places_each_get_the_event(events_of) -> None:
    evs = events_of("Al-Qaeda fighters seized Zinjibar and Jaar on Wednesday.")
    assert {("capture", "Zinjibar"), ("capture", "Jaar")} <= {(t, p) for t, p, _, _ in evs}


def test_passive_subject_and_relative_clause(events_of) -> None:
    assert ("capture", "Tal Afar", "2017-11-01", "month") in events_of(
        "Tal Afar, a city west of Mosul, was retaken by the army early this month.")
    evs = events_of("Government forces tightened a ring around Ramadi, which the jihadists seized in May.")
    assert ("capture", "Ramadi", "2017-05-01", "month") in evs
    assert any(t == "clash" and p == "Ramadi" and d == "2017-11-09" for t, p, d, _ in evs)


def test_fronted_place_is_the_scene(events_of) -> None:
    evs = events_of("In Kirkuk, gunmen opened fire on a police patrol on Tuesday.")
    assert ("attack", "Kirkuk", "2017-11-07", "day") in evs


# --- one event per thing -------------------------------------------------------------------------------

def test_background_fighting_yields_to_the_capture(events_of) -> None:
    evs = events_of("Iraqi forces recaptured Baiji on Friday after two days of heavy fighting.")
    assert evs == [("capture", "Baiji", "2017-11-03", "day")]


def test_headline_and_lead_are_one_event(events_of) -> None:
    text = "Iraqi forces retake Rawa\n\nIraqi forces recaptured Rawa on Friday, officials said."
    evs = events_of(text)
    assert [e for e in evs if e[0] == "capture"] == [("capture", "Rawa", "2017-11-03", "day")]


# --- dates -----------------------------------------------------------------------------------------------

def test_dateline_date_is_not_the_event_date(events_of) -> None:
    evs = events_of("BAGHDAD, Nov 9 (Frontlines) - Iraqi forces recaptured Rawa on Friday.")
    assert ("capture", "Rawa", "2017-11-03", "day") in evs


def test_same_day_refers_to_the_previous_event(events_of) -> None:
    evs = events_of("On 3 November the army retook Deir ez-Zor, and on the same day Iraqi forces took al-Qaim.")
    assert ("capture", "al-Qaim", "2017-11-03", "day") in evs


def test_relative_clause_dates_its_own_event(events_of) -> None:
    evs = events_of("Al-Qaeda retook Zinjibar, which had fallen to the army four years ago, on Wednesday.")
    assert ("capture", "Zinjibar", "2017-11-08", "day") in evs


def test_fatalities(events_of, extractor) -> None:
    ex = extractor.extract(Article(text="On Sunday a car bomb killed at least 12 people in Aden.", published="2017-11-09"))
    (e,) = [e for e in ex.events if e.type == "attack"]
    assert e.fatalities == 12


def test_participle_in_the_subject_does_not_hide_a_past_report(events_of) -> None:
    # "manned" is no finite verb: "Drones and manned aircraft hit ..." continues the dated story
    evs = events_of("US jets carried out strikes in Yemen on Thursday. "
                    "Drones and manned aircraft hit fighters in Abyan, Bayda and Shabwa provinces, a spokesman said.",
                    published="2017-11-11")
    for place in ("Abyan", "Bayda", "Shabwa"):
        assert ("airstrike", place, "2017-11-09", "week") in evs, evs  # Thursday's story, not publication


def test_locative_inside_the_subject(events_of) -> None:
    evs = events_of("Families fled. In the latest case, on Wednesday, gunmen in Arish shot dead a man and his son.")
    assert ("attack", "Arish", "2017-11-08", "day") in evs, evs
    evs = events_of("Militants hiding in the Hamrin mountains have ambushed army patrols this year.")
    assert any(t == "attack" and p == "Hamrin mountains" for t, p, _, _ in evs), evs


def test_pronoun_it_and_relative_which_name_the_holder(events_of) -> None:
    evs = events_of("AQAP lost Mukalla in April. It still holds Zinjibar and Jaar, two towns in Abyan province.",
                    published="2016-04-25")
    assert {p for t, p, _, _ in evs if t == "control"} >= {"Zinjibar", "Jaar"}, evs
    evs = events_of("The mosques are frequented by supporters of the Houthi movement, which has controlled Sanaa since September.",
                    published="2015-03-21")
    assert any(t == "control" and p == "Sanaa" for t, p, _, _ in evs), evs


def test_container_after_a_comma_is_not_a_second_place(events_of) -> None:
    evs = events_of("A fighter detonated a suicide vest beside a restaurant in downtown Manbij, Aleppo province, on Wednesday.")
    assert [p for t, p, _, _ in evs if t == "attack"] == ["Manbij"], evs


def test_two_kinds_of_violence_in_one_sentence(events_of) -> None:
    evs = events_of("Islamic State fighters launched a ground offensive on villages in the Suwayda countryside on Wednesday, "
                    "followed by at least two suicide bombings in Suwayda.")
    assert {"clash", "attack"} <= _types_at(evs, "Suwayda"), evs


def test_headline_echoes_the_body(events_of) -> None:
    evs = events_of("Dozens die in Sinai army checkpoint attack\n\n"
                    "The attack on Friday hit an army checkpoint at Sheikh Zuweid, security sources said.")
    assert [p for t, p, _, _ in evs if t == "attack"] in (["Sheikh Zuweid"], ["at Sheikh Zuweid"]), evs


@pytest.mark.parametrize("text, place", [
    ("Islamic State fighters shelled Tabqa. The raid cut the road to Raqqa, the group's de facto capital.", "Raqqa"),
    ("Islamic State fighters shelled Tabqa. The road links Qayyara with Mosul, the largest city it holds in Iraq.", "Mosul"),
    ("Islamic State fighters shelled Tabqa. The group still holds the east, including its self-styled capital, Raqqa.", "Raqqa"),
    ("Islamic State fighters shelled Tabqa. Kuweires lies south of al-Bab, one of Islamic State's main towns.", "al-Bab"),
    ("The Houthis fought six wars from their northern stronghold of Saada.", "Saada"),
])
def test_control_said_in_an_apposition(extractor, text, place) -> None:
    ex = extractor.extract(Article(text=text, published="2016-05-02"))
    got = [(e.type, e.place.surface, e.controller_after) for e in ex.events if e.type == "control"]
    assert got and got[0][1] == place and got[0][2] in ("islamic_state", "houthis"), got


@pytest.mark.parametrize("text", [
    "Anbar province and its capital, Ramadi, were calm on Monday.",
    "Islamic State fighters shelled Tabqa. Raqqa, the group's former capital, is calm.",
    "Islamic State fighters shelled Tabqa. The convoy reached Damascus, Syria's capital, on Monday.",
])
def test_an_apposition_that_names_no_holder_is_no_control(extractor, text) -> None:
    ex = extractor.extract(Article(text=text, published="2016-05-02"))
    assert not [e for e in ex.events if e.type == "control"], ex.events


def test_a_lead_with_no_date_takes_the_day_the_body_gives(events_of) -> None:
    text = ("CAIRO, July 21 (Frontlines) - Gunmen killed 21 border guards at a checkpoint in the Western Desert. "
            "The attack came on Saturday, when assailants opened fire on the post outside Farafra.")
    evs = events_of(text, "2014-07-21")
    assert ("attack", "Western Desert", "2014-07-19", "day") in evs, evs


def test_came_under_fire_is_an_attack_on_the_subject(extractor) -> None:
    ex = extractor.extract(Article(text="A police convoy came under heavy fire in the Western Desert on Friday.",
                                   published="2017-10-22"))
    got = [(e.type, e.place.surface, e.date, e.side) for e in ex.events]
    assert got == [("attack", "Western Desert", "2017-10-20", "unknown")], got


@pytest.mark.parametrize("sentence, expected", [
    ("Forces loyal to Hadi drove troops loyal to his predecessor, Ali Abdullah Saleh, out of Aden on Thursday.", ("capture", "Aden")),
    ("Thousands fled toward Sinjar, a town still guarded by Kurdish Peshmerga forces.", ("control", "Sinjar")),
    ("Further west, the Islamic State is consolidating its hold on Sirte.", ("control", "Sirte")),
    ("Coalition officials said their forces were within a few kilometres of Hodeidah on Thursday.", ("clash", "Hodeidah")),
    ("The army also claimed gains in Benghazi on Thursday.", ("clash", "Benghazi")),
])
def test_more_ways_to_say_it(events_of, sentence, expected) -> None:
    evs = events_of(sentence)
    assert expected in [(t, p) for t, p, _, _ in evs], evs


@pytest.mark.parametrize("sentence", [
    "The town had been used as a base for attacks on Baghdad.",
    "The group, much weakened since it lost Sirte, still strikes the capital.",
])
def test_background_is_not_an_event(events_of, sentence) -> None:
    assert events_of(sentence, "2018-09-10") == []


def test_a_dated_loss_after_since_is_still_an_event(events_of) -> None:
    evs = events_of("Since capturing Tal Abyad on 15 June, the YPG has advanced 50 km.", "2015-07-01")
    assert ("capture", "Tal Abyad", "2015-06-15", "day") in evs, evs


@pytest.mark.parametrize("sentence, place", [
    ("Moscow's warplanes pounded militant positions on Monday.", "Moscow"),
    ("The advances have alarmed Ankara on Monday.", "Ankara"),
    ("Troops drove the militants from a key oil refinery north of Baghdad on Monday.", "Baghdad"),
    ("A suicide bomber killed seven militiamen in a town just north of Baghdad on Monday.", "Baghdad"),
])
def test_a_place_that_is_not_the_scene(events_of, sentence, place) -> None:
    assert place not in [p for _, p, _, _ in events_of(sentence)]


def test_a_checkpoint_outside_a_town_is_at_the_town(events_of) -> None:
    evs = events_of("Militants attacked a security checkpoint west of El-Arish on Wednesday.", "2019-06-06")
    assert ("attack", "El-Arish", "2019-06-05", "day") in evs, evs


def test_the_cheap_word_hints_never_hide_a_trigger(extractor) -> None:
    """Each rule's ``words`` only skip sentences its regex cannot match: same triggers with and without."""
    import json
    import re
    from dataclasses import replace

    from frontlines.events import TRIGGERS
    from frontlines.paths import sample_dir

    plain = [replace(r, words=()) for r in TRIGGERS]
    ee = extractor.events
    n = 0
    for f in sorted((sample_dir() / "articles").glob("*.json")):
        for s in re.split(r"(?<=[.!?])\s+|\n+", json.loads(f.read_text())["text"]):
            assert ee.triggers(s) == ee.triggers(s, rules=plain), s
            n += 1
    assert n > 1000


def test_who_held_a_place_before_is_not_who_holds_it(events_of) -> None:
    assert events_of("The jihadists had controlled Rutba for almost two years.", "2016-05-20") == []
    assert events_of("Tal Afar had been held by the militants since June 2014.", "2017-08-31") == []
    evs = events_of("Aden airport had been in the hands of the rebels since soldiers defected on March 25.", "2015-04-02")
    assert [(t, p, d) for t, p, d, _ in evs] == [("control", "Aden airport", "2015-03-25")], evs


def test_a_held_adjective_does_not_cut_the_capture_from_its_place(events_of) -> None:
    evs = events_of("Iraqi forces captured the Kurdish-held oil city of Kirkuk on Monday.", "2017-10-17")
    assert ("capture", "Kirkuk", "2017-10-16", "day") in evs, evs


def test_where_the_militias_come_from_is_not_the_scene(events_of) -> None:
    evs = events_of("The airport had been seized by the Misrata militias on Saturday.", "2014-08-24")
    assert "Misrata" not in [p for _, p, _, _ in evs], evs


def test_the_main_clause_day_does_not_date_the_after_clause(events_of) -> None:
    text = ("Mexico demanded an inquiry on Tuesday after Egyptian forces attacked a convoy of tourists in the "
            "Western Desert. The forces fired on the vehicles on Sunday, officials said.")
    evs = events_of(text, "2015-09-16")  # "on Tuesday" is 2015-09-15, the day Mexico made its demand
    assert ("attack", "Western Desert", "2015-09-15", "day") not in evs, evs
    assert [t for t, p, _, _ in evs if p == "Western Desert"] == ["attack"], evs


@pytest.mark.parametrize("sentence, expected", [
    ("The deal gave the government full control of Douma on Monday.", ("control", "Douma")),
    ("Islamic State militants captured the Tabqa air base, the last government foothold in Raqqa province, giving the "
     "group complete control of the province.",
     ("control", "Raqqa")),
])
def test_control_given_to_someone(events_of, sentence, expected) -> None:
    assert expected in [(t, p) for t, p, _, _ in events_of(sentence)]


def test_n_weeks_after_dates_what_follows_it(events_of) -> None:
    evs = events_of("Haftar announced on Thursday that his army had liberated Derna, seven weeks after launching an offensive.",
                    "2018-06-29")
    assert ("capture", "Derna", "2018-06-28", "day") in evs, evs


@pytest.mark.parametrize("text, expected", [
    ("Houthi rebels clashed with troops. Their stronghold is the province of Saada, on the border.", ("control", "Saada")),
    ("Islamic State fighters attacked. Derna, a coastal city at the foot of the Green Mountain, has been under the "
     "control of Islamist militants.", ("control", "Derna")),
    ("The Islamic State is spreading in Libya, where it controls the coastal city of Sirte.", ("control", "Sirte")),
    ("Islamic State fighters fled towards Deir ez-Zor province, where they still hold most of the territory.",
     ("control", "Deir ez-Zor")),
    ("The group said it shot down a military helicopter over Sinai in January.", ("attack", "Sinai")),
    ("The militants have since pressed west towards the T4 air base.", ("clash", "T4 air base")),
])
def test_control_and_violence_in_other_words(events_of, text, expected) -> None:
    evs = events_of(text, "2015-02-17")
    assert expected in [(t, p) for t, p, _, _ in evs], evs


@pytest.mark.parametrize("text, place", [
    ("Militants in Sirte published photographs of 21 Egyptian labourers they had seized in Sirte on Monday.", "Sirte"),
    ("More than 700 fighters from Misrata were killed on Monday.", "Misrata"),
    ("The attack took place far to the west of the area between Rafah and Sheikh Zuweid on Monday.", "Rafah"),
    ("Leaders appealed to the government in Tripoli and to Haftar's forces, which control the east.", "Tripoli"),
])
def test_no_event_at_a_place_the_sentence_only_mentions(events_of, text, place) -> None:
    assert place not in [p for _, p, _, _ in events_of(text, "2016-12-06")]


def test_a_list_of_targets_continues_the_strikes_before_it(events_of) -> None:
    text = ("The United States and five Arab allies bombed Islamic State targets in Syria early on Tuesday, hitting "
            "the group's headquarters in Raqqa. The Pentagon said jets from Jordan and Qatar took part. Targets included "
            "training compounds in and around Deir ez-Zor and Albu Kamal.")
    evs = events_of(text, "2014-09-24")
    for place in ("Raqqa", "Deir ez-Zor", "Albu Kamal"):
        assert ("airstrike", place, "2014-09-23", "day") in evs, evs


def test_the_town_named_after_its_region_is_the_place(events_of) -> None:
    evs = events_of("Two suicide bombers struck churches in the Nile Delta town of Tanta and the coastal city of "
                    "Alexandria on Sunday.", "2017-04-10")
    got = {p for t, p, _, _ in evs if t == "attack"}
    assert got == {"Tanta", "Alexandria"}, evs


def test_places_between_two_references_are_references(events_of) -> None:
    evs = events_of("A bomb exploded at a police centre in the coastal town of Zliten, between Tripoli and the port "
                    "city of Misrata, on Thursday.", "2016-01-08")
    assert {p for _, p, _, _ in evs} == {"Zliten"}, evs


def test_last_april_and_ten_days_after(events_of) -> None:
    evs = events_of("AQAP lost control of the port of Mukalla last April.", "2017-03-04")
    assert ("capture", "Mukalla", "2016-04-01", "month") in evs, evs


def test_the_towns_included_after_a_region_share_its_control(events_of) -> None:
    evs = events_of("Islamic State still controls the Euphrates valley downstream to the Iraqi border, including the "
                    "towns of al-Mayadeen and Albu Kamal.", "2017-09-06")
    assert {p for t, p, _, _ in evs if t == "control"} >= {"Euphrates valley", "al-Mayadeen", "Albu Kamal"}, evs


def test_a_stronghold_apposition_is_about_the_place_before_it(events_of) -> None:
    evs = events_of("Turkish-backed rebels took control of al-Bab, Islamic State's last major stronghold in Aleppo "
                    "province, on Thursday. Ankara's next objective is Raqqa, Islamic State's de facto capital.", "2017-02-24")
    places = {p for t, p, _, _ in evs if t in ("control", "capture")}
    assert "Aleppo" not in places and {"al-Bab", "Raqqa"} <= places, evs


def test_when_clause_takes_the_day_before_it(events_of) -> None:
    evs = events_of("The clashes erupted at the funeral of troops who were killed on 1 August, when a Houthi drone attack "
                    "hit a parade in Aden.", "2019-08-11")
    assert [(p, d) for t, p, d, _ in evs if FAM.get(t) == "violence"] == [("Aden", "2019-08-01")], evs


def test_friday_prayers_are_not_a_date(events_of) -> None:
    evs = events_of("Fighters raised their flag over the complex in Sirte, where the militants had held Friday prayers.",
                    "2016-08-11")
    assert all(d != "2016-08-05" for _, _, d, _ in evs), evs


FAM = {"attack": "violence", "airstrike": "violence", "clash": "violence"}


def test_the_capture_came_n_days_after_counts_from_the_capture(events_of) -> None:
    text = ("Islamic State militants took full control of Palmyra on Thursday. The offensive began on 13 May with an "
            "assault on al-Sukhnah. The capture of Palmyra came five days after the group seized Ramadi.")
    evs = events_of(text, "2015-05-22")
    assert ("capture", "Ramadi", "2015-05-16", "day") in evs, evs


def test_the_day_a_toll_was_given_is_not_the_day_of_the_raid(events_of) -> None:
    evs = events_of("The death toll from an Islamic State raid on Kobani rose above 200, officials said on Saturday.",
                    "2015-06-27")
    assert ("attack", "Kobani", "2015-06-27", "day") not in evs, evs


def test_a_since_clause_dates_only_its_own_event(events_of) -> None:
    evs = events_of("Monitors say 1,300 civilians have been killed in eastern Ghouta since the offensive began on "
                    "18 February.", "2018-03-19")
    assert all(d != "2018-02-18" for t, _, d, _ in evs if t == "attack"), evs
    evs = events_of("The collapse of authority in Aden, the interim capital since the Houthis seized Sanaa in 2014, "
                    "raises doubts.", "2019-08-11")
    assert ("capture", "Sanaa", "2014-01-01", "year") in evs, evs


def test_capturing_a_minister_is_no_capture_of_the_town(events_of) -> None:
    evs = events_of("Houthi fighters seized al-Anad air base on Wednesday, about 60 km north of Aden, where they captured "
                    "Hadi's defence minister.", "2015-03-26")
    assert "Aden" not in [p for _, p, _, _ in evs] and ("capture", "al-Anad air base", "2015-03-25", "day") in evs, evs


@pytest.mark.parametrize("sentence", [
    "Militant outlets insisted that the real battle of Dabiq was still to come.",
    "The ministry said the suspect had taken part in earlier attacks on police buildings in Cairo.",
])
def test_what_is_still_to_come_or_long_past_is_not_reported_here(events_of, sentence) -> None:
    assert events_of(sentence, "2018-01-02") == []


def test_a_week_earlier_an_attack_is_still_an_attack(events_of) -> None:
    evs = events_of("In May suicide bombers killed 40 recruits in Aden, and a week earlier an attack on a police "
                    "station in al-Mukalla killed 20.", "2016-08-30")
    assert "al-Mukalla" in [p for t, p, _, _ in evs if t == "attack"], evs


def test_after_a_comma_and_starts_a_clause_with_its_own_subject(extractor) -> None:
    ex = extractor.extract(Article(text="Coalition aircraft have destroyed the bridges over recent months, and SDF "
                                        "fighters already hold the town of Tabqa to the west.", published="2017-06-07"))
    assert [(e.type, e.place.surface, e.side) for e in ex.events] == [("control", "Tabqa", "sdf")]


def test_fighters_who_stormed_and_seized_still_captured(events_of) -> None:
    evs = events_of("Islamic State fighters stormed and seized the Shaer gas field on Thursday.", "2014-07-20")
    assert ("capture", "Shaer gas field", "2014-07-17", "day") in evs, evs


def test_who_resisted_after_a_fall_did_not_take_the_town(extractor) -> None:
    ex = extractor.extract(Article(text="Government troops were still resisting in Tal Afar after the fall of Mosul a "
                                        "week earlier.", published="2014-06-17"))
    assert [(e.place.surface, e.side) for e in ex.events if e.type == "capture"] == [("Mosul", "unknown")]


def test_held_adjective_after_to_is_no_purpose(extractor) -> None:
    """ "an offensive to retake Mosul" is a plan; "on the road to IS-held Mosul" says who holds Mosul."""
    from frontlines.records import Article

    ex = extractor.extract(Article(text="The town matters because it lies on the road to IS-held Mosul.", id="t",
                                   published="2015-10-16"))
    assert [(e.type, e.place.surface, e.side) for e in ex.events] == [("control", "Mosul", "islamic_state")]
    ex = extractor.extract(Article(text="The army prepared an offensive to retake Mosul.", id="t", published="2016-10-01"))
    assert not [e for e in ex.events if e.type == "capture"]
