"""The outbox envelope: frames encoded once by the owner, forwarded as they are."""

from __future__ import annotations

import json

import pytest

from server import keys, outbox


def test_envelope_round_trips_with_frames_untouched() -> None:
    room = '{"type":"room","seq":3,"deck":"Zoë 🎉"}'
    envelope = outbox.Envelope(
        (outbox.ack("p1", 2), outbox.error("host", "bad_phase", "Start the game first."),
         outbox.joined("p2"), outbox.kicked("p3")),
        outbox.Views(seq=3, room=room, host='{"type":"host"}', me={"p1": '{"type":"me"}'}),
    )
    back = outbox.Envelope.decode(envelope.encode().encode())
    assert back == envelope
    assert back.views is not None and back.views.room == room  # the very text clients get
    assert json.loads(back.notices[0].text) == {"type": "ack", "round": 2}
    assert back.notices[1].code == "bad_phase"
    assert outbox.Envelope.decode(outbox.Envelope((outbox.ack("p", 0),)).encode()).views is None
    alone = outbox.Envelope((), outbox.Views(seq=3, room=None, host=None, me={"p1": "{}"}))
    assert outbox.Envelope.decode(alone.encode()) == alone  # a coalesced room view


def test_code_of_channel_inverts_the_channel_name() -> None:
    assert keys.code_of_channel(keys.room_keys("AB12CD").channel) == "AB12CD"
    for bad in ("cardcade:{r:AB12CD}:inbox", "other:{r:AB12CD}:out", "cardcade:AB12CD:out"):
        with pytest.raises(ValueError):
            keys.code_of_channel(bad)
