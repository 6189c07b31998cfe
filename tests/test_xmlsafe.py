"""Hardened XML parsing: no entity expansion, no file or network access, clear InputErrors."""

from __future__ import annotations

import pytest

from i18n_pipeline.errors import InputError
from i18n_pipeline.xmlsafe import parse_xml_bytes

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""


def test_plain_documents_parse(tmp_path):
    root = parse_xml_bytes('<tmx version="1.4"><body>ok &amp; café</body></tmx>'.encode(), "a.tmx")
    assert root.findtext("body") == "ok & café"


def test_billion_laughs_is_refused():
    with pytest.raises(InputError, match="refused for safety"):
        parse_xml_bytes(BILLION_LAUGHS, "lol.xlf")


def test_external_entity_is_refused_and_the_file_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    payload = f'<!DOCTYPE x [<!ENTITY s SYSTEM "{secret.as_uri()}">]><x>&s;</x>'.encode()
    with pytest.raises(InputError) as info:
        parse_xml_bytes(payload, "evil.xlf")
    assert "TOP-SECRET" not in str(info.value)


def test_entities_from_an_external_dtd_are_not_loaded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY s SYSTEM "{secret.as_uri()}">')
    payload = f'<!DOCTYPE x SYSTEM "{dtd.as_uri()}"><x a="&s;">&s;</x>'.encode()
    with pytest.raises(InputError, match="entity reference &s;"):
        parse_xml_bytes(payload, "evil.xlf")
    attr_only = f'<!DOCTYPE x SYSTEM "{dtd.as_uri()}"><x a="&s;">fine</x>'.encode()
    root = parse_xml_bytes(attr_only, "evil.xlf")
    assert "TOP-SECRET" not in (root.get("a") or "")


def test_a_bare_doctype_line_as_cat_tools_write_it_is_accepted():
    root = parse_xml_bytes(b'<?xml version="1.0"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4"/>', "omegat.tmx")
    assert root.tag == "tmx"


def test_utf16_documents_with_entities_are_refused_too():
    payload = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'.encode("utf-16")
    with pytest.raises(InputError, match="refused for safety"):
        parse_xml_bytes(payload, "u16.xlf")


@pytest.mark.parametrize(("data", "problem"), [(b"", "empty file"), (b"  \n", "empty file"), (b"<a><b></a>", "not well-formed")])
def test_unreadable_documents_name_the_file_and_the_problem(data, problem):
    with pytest.raises(InputError, match=problem) as info:
        parse_xml_bytes(data, "reviewed/anna.xlf")
    assert str(info.value).startswith("reviewed/anna.xlf: ")
