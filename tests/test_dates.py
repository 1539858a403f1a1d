from frontlines.dates import find_time_expressions, precision_interval, publication_date_from_text


def resolve(sentence: str, published: str = "2017-11-09") -> list[tuple[str, str]]:
    return [(t.date, t.precision) for t in find_time_expressions(sentence, published)]


def test_weekday_resolves_to_the_most_recent_before_publication() -> None:
    # the seed: published Thursday 2017-11-09; "on Friday" is 2017-11-03, "On Sunday" 2017-11-05
    assert resolve("Iraqi forces recaptured Al-Qaim on Friday") == [("2017-11-03", "day")]
    assert resolve("On Sunday, at least eight soldiers were killed") == [("2017-11-05", "day")]


def test_relative_expressions_carry_their_precision() -> None:
    assert resolve("last week") == [("2017-11-02", "week")]
    assert resolve("earlier this month") == [("2017-11-01", "month")]
    assert resolve("two days ago") == [("2017-11-07", "day")]
    assert resolve("yesterday") == [("2017-11-08", "day")]
    assert resolve("last month") == [("2017-10-01", "month")]


def test_absolute_dates_without_year_take_the_latest_past_year() -> None:
    assert resolve("killed several policemen on 20 October") == [("2017-10-20", "day")]
    assert resolve("on 3 November") == [("2017-11-03", "day")]
    assert resolve("on 30 December") == [("2016-12-30", "day")]  # not a future date


def test_month_and_year_expressions() -> None:
    assert resolve("captured in June 2014") == [("2014-06-01", "month")]
    assert resolve("since 2014") == [("2014-01-01", "year")]


def test_publication_date_prefers_the_issue_line_over_the_page_date() -> None:
    text = "Thursday,21 February, 2019\nCurrent issue | Issue 1368, (9 - 15 November 2017)\n\nTitle here"
    assert publication_date_from_text(text) == "2017-11-09"


def test_publication_date_from_dateline_and_published_line() -> None:
    assert publication_date_from_text("Aden, 6 Dec 2015: A car bomb ...") == "2015-12-06"
    assert publication_date_from_text("Some title\nPublished on 12 March 2016\n\nBody") == "2016-03-12"
    assert publication_date_from_text("No date anywhere in this text.") is None


def test_precision_intervals() -> None:
    assert precision_interval("2017-11-09", "week") == ("2017-11-03", "2017-11-09")
    assert precision_interval("2017-02-01", "month") == ("2017-02-01", "2017-02-28")
    assert precision_interval("2017-05-05", "year") == ("2017-01-01", "2017-12-31")
    assert precision_interval("2017-05-05", "day") == ("2017-05-05", "2017-05-05")


def test_recent_and_anaphoric_expressions() -> None:
    assert resolve("air strikes in recent days") == [("2017-11-09", "week")]
    assert resolve("in recent weeks") == [("2017-11-01", "month")]  # the month of the week before publication
    assert resolve("attacks this year") == [("2017-01-01", "year")]
    assert resolve("in April last year") == [("2016-04-01", "month")]
    # "the same day" takes the day given earlier in the sentence, else the article's last event day
    assert resolve("On 3 November ..., and on the same day") == [("2017-11-03", "day"), ("2017-11-03", "day")]
    got = [(t.date, t.precision) for t in find_time_expressions("the next day", "2017-11-09", anchor="2017-11-01")]
    assert got == [("2017-11-02", "day")]
    assert resolve("the same day") == []  # nothing to refer to


def test_last_weekday_is_in_the_previous_week() -> None:
    # published Thursday 2017-11-09: "last Thursday" is 2 November, "on Thursday" is the day itself
    assert resolve("last Thursday") == [("2017-11-02", "day")]
    assert resolve("on Thursday") == [("2017-11-09", "day")]


def test_days_after_counts_back() -> None:
    assert resolve("two days after the rebels swept into the capital") == [("2017-11-07", "day")]


def test_part_of_month_places_the_day() -> None:
    assert resolve("which IS seized in mid-May") == [("2017-05-15", "month")]
    assert resolve("in late July") == [("2017-07-25", "month")]


def test_earlier_and_later_count_from_the_time_just_told() -> None:
    # "ago" counts from publication; "later"/"earlier" from the date given before them
    assert resolve("Haftar seized Gharyan on 2 April, and two days later launched the offensive.") == [
        ("2017-04-02", "day"), ("2017-04-04", "day")]
    assert resolve("In May, bombers killed 40 recruits, and a week earlier an attack killed ten.") == [
        ("2017-05-01", "month"), ("2017-05-01", "month")]
    assert [(t.date, t.precision) for t in find_time_expressions("The town fell three days earlier.", "2017-11-09",
                                                                  anchor="2017-11-01")] == [("2017-10-29", "day")]
    assert resolve("two days later") == []  # nothing to count from
