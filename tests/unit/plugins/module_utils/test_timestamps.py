"""timestamps.py: every timestamp shape real-cce-behaviour.md section 3 lists."""

import datetime

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils.timestamps import newest_first_key, parse_timestamp

UTC = datetime.timezone.utc


@pytest.mark.parametrize("text,expected", [
    # Go time.String() with the server's zone abbreviation (the published ShowUpgradeClusterTask example)
    ("2022-12-16 13:40:20.75671 +0800 CST", datetime.datetime(2022, 12, 16, 5, 40, 20, 756710, UTC)),
    ("2022-12-16 13:40:20 +0800 CST", datetime.datetime(2022, 12, 16, 5, 40, 20, tzinfo=UTC)),
    ("2022-12-16 13:40:20.123456789 +0800 CST", datetime.datetime(2022, 12, 16, 5, 40, 20, 123456, UTC)),
    ("2023-11-25 07:49:30.281911 +0000 UTC", datetime.datetime(2023, 11, 25, 7, 49, 30, 281911, UTC)),
    ("2023-11-25 07:49:30 -0500 EST", datetime.datetime(2023, 11, 25, 12, 49, 30, tzinfo=UTC)),
    ("2023-11-25 07:49:30.5 +0530 IST", datetime.datetime(2023, 11, 25, 2, 19, 30, 500000, UTC)),
    ("2023-11-25 07:49:30 +0800 +08", datetime.datetime(2023, 11, 24, 23, 49, 30, tzinfo=UTC)),
    ("2023-11-25 07:49:30.1 +0000 UTC m=+0.000123", datetime.datetime(2023, 11, 25, 7, 49, 30, 100000, UTC)),
    # RFC 3339
    ("2023-11-14T20:30:57+08:00", datetime.datetime(2023, 11, 14, 12, 30, 57, tzinfo=UTC)),
    ("2023-11-25T07:49:30Z", datetime.datetime(2023, 11, 25, 7, 49, 30, tzinfo=UTC)),
    ("2023-11-25T07:49:30.123456789Z", datetime.datetime(2023, 11, 25, 7, 49, 30, 123456, UTC)),
    ("2023-11-25T07:49:30.5+08:00", datetime.datetime(2023, 11, 24, 23, 49, 30, 500000, UTC)),
    # what the collection accepted before: no offset (UTC), "UTC" alone, an offset without colon
    ("2023-11-25 07:49:30", datetime.datetime(2023, 11, 25, 7, 49, 30, tzinfo=UTC)),
    ("2023-11-25 07:49:30 UTC", datetime.datetime(2023, 11, 25, 7, 49, 30, tzinfo=UTC)),
    ("2023-11-25T07:49:30+0800", datetime.datetime(2023, 11, 24, 23, 49, 30, tzinfo=UTC)),
])
def test_parse_timestamp(text, expected):
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize("text", [None, "", 12, "yesterday", "2023-13-25 07:49:30 +0000 UTC",
                                  "2023-11-25 07:49:30 +2500 XYZ", "2023-11-25 07:49"])
def test_parse_timestamp_refuses(text):
    assert parse_timestamp(text) is None


def test_newest_first_key_takes_the_first_parsable():
    assert newest_first_key(None, "bad", "2022-12-16 13:40:20 +0800 CST") == datetime.datetime(2022, 12, 16, 5, 40, 20, tzinfo=UTC)
    assert newest_first_key(None) == datetime.datetime.min.replace(tzinfo=UTC)
