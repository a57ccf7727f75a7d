"""Pseudonymisation: keyed HMAC-SHA-256, never plain SHA-256, never the raw value on disk."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from egov.analytics.engines import KeyRing, PersonalColumn, PseudonymKeyError, Warehouse
from egov.analytics.engines.pseudonym import KEY_ID_ENV, KEYS_ENV, normalise

from .conftest import KEY_1, KEY_2

# Valid-looking Kazakh IINs (YYMMDD C NNNN K); the test only needs them to be distinctive.
IINS = ["950101300123", "870315400456", "010203500789", "640912300017", "991231600042"]


def write_people_csv(path: Path, iins: list[str]) -> None:
    lines = ["iin,region,amount"]
    lines += [f"{iin},KZ-ALA,{i * 10}" for i, iin in enumerate(iins)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_pseudonym_is_hmac_sha256_with_the_current_key(keyring: KeyRing) -> None:
    secret = base64.b64decode(KEY_1)
    expected = hmac.new(secret, b"950101300123", hashlib.sha256).hexdigest()
    assert keyring.pseudonymise("950101300123") == expected
    assert keyring.pseudonymise(" 9501 0130 0123 ") == expected  # identifiers lose whitespace
    assert keyring.pseudonymise("950101300123") != hashlib.sha256(b"950101300123").hexdigest()
    assert keyring.pseudonymise(None) is None


def test_different_keys_give_different_pseudonyms(keyring: KeyRing) -> None:
    one = keyring.pseudonymise("950101300123", chain=("k1",))
    two = keyring.pseudonymise("950101300123", chain=("k2",))
    assert one != two


def test_array_pseudonymisation_matches_the_scalar_one(keyring: KeyRing) -> None:
    values = pa.array([IINS[0], None, IINS[1], IINS[0]])
    out = keyring.pseudonymise_array(values).to_pylist()
    assert out == [keyring.pseudonymise(v) for v in values.to_pylist()]
    assert out[0] == out[3] and out[1] is None


def test_numbers_are_normalised_as_text() -> None:
    assert normalise(950101300123) == "950101300123"
    assert normalise(950101300123.0) == "950101300123"
    assert normalise("  Ivan   PETROV ", "text") == "ivan petrov"


def test_rekeying_adds_a_key_on_top(keyring: KeyRing) -> None:
    old = keyring.pseudonymise_array(pa.array(IINS), chain=("k1",))
    rekeyed = keyring.rekey_array(old, to_key_id="k2")
    # New raw data pseudonymised along the same chain joins with the re-keyed column.
    fresh = keyring.pseudonymise_array(pa.array(IINS), chain=("k1", "k2"))
    assert rekeyed.to_pylist() == fresh.to_pylist()
    assert rekeyed.to_pylist() != old.to_pylist()


def test_key_ring_configuration_errors() -> None:
    with pytest.raises(PseudonymKeyError) as caught:
        KeyRing.parse("k1=" + base64.b64encode(b"short").decode())
    assert caught.value.code == "weak_key"
    with pytest.raises(PseudonymKeyError) as caught:
        KeyRing.parse(f"k1={KEY_1}", current_id="k9")
    assert caught.value.code == "unknown_key"
    with pytest.raises(PseudonymKeyError) as caught:
        KeyRing.parse("k1=***not base64***")
    assert caught.value.code == "bad_key_spec"
    with pytest.raises(PseudonymKeyError) as caught:
        KeyRing.from_env({})
    assert caught.value.code == "no_key"
    with pytest.raises(PseudonymKeyError):
        KeyRing.parse(f"k1={KEY_1}").pseudonymise("x", chain=("k2",))


def test_key_ring_from_environment_hides_secrets() -> None:
    ring = KeyRing.from_env({KEYS_ENV: f"k2={KEY_2}, k1={KEY_1}", KEY_ID_ENV: "k1"})
    assert ring.current_id == "k1" and set(ring.keys) == {"k1", "k2"}
    assert KEY_1 not in repr(ring) and "k1" in repr(ring)
    assert KeyRing.from_env({KEYS_ENV: f"k2={KEY_2},k1={KEY_1}"}).current_id == "k2"


def test_raw_identifiers_never_reach_the_warehouse(tmp_path: Path, keyring: KeyRing) -> None:
    source = tmp_path / "people.csv"
    write_people_csv(source, IINS)
    warehouse = Warehouse(tmp_path / "wh")
    result = warehouse.load(
        "people", source, personal=[PersonalColumn("iin")], keyring=keyring, loaded_by="test"
    )
    version = result.version
    assert version.pseudonymised == {"iin": ("k1",)}

    everything = b"".join(p.read_bytes() for p in (tmp_path / "wh").rglob("*") if p.is_file())
    for iin in IINS:
        assert iin.encode() not in everything, "a raw IIN reached the warehouse"
        assert iin.encode("utf-16-le") not in everything
        # Nor its plain SHA-256, which anyone could compute for every possible IIN.
        plain = hashlib.sha256(iin.encode()).hexdigest()
        assert plain.encode() not in everything
        assert bytes.fromhex(plain) not in everything
        # The keyed pseudonym is there instead.
        assert keyring.pseudonymise(iin).encode() in everything  # type: ignore[union-attr]

    table = pq.read_table(version.data_path)
    assert table.column("iin").to_pylist() == [keyring.pseudonymise(i) for i in IINS]
    field = table.schema.field("iin")
    assert field.metadata == {b"egov.pseudonym.chain": b"k1"}


def test_identifiers_with_leading_zeros_keep_them(tmp_path: Path, keyring: KeyRing) -> None:
    source = tmp_path / "people.csv"
    write_people_csv(source, ["010203500789"])
    result = Warehouse(tmp_path / "wh").load(
        "people", source, personal=[PersonalColumn("iin")], keyring=keyring
    )
    table = pq.read_table(result.version.data_path)
    assert table.column("iin").to_pylist() == [keyring.pseudonymise("010203500789")]


def test_later_loads_follow_the_published_chain(tmp_path: Path, keyring: KeyRing) -> None:
    warehouse = Warehouse(tmp_path / "wh")
    source = tmp_path / "people.csv"
    write_people_csv(source, IINS[:3])
    warehouse.load("people", source, personal=[PersonalColumn("iin")], keyring=keyring)
    rekeyed = warehouse.rekey("people", keyring, to_key_id="k2")
    assert rekeyed.pseudonymised == {"iin": ("k1", "k2")}
    assert rekeyed.version == 2

    # The operator rotates: k2 is now current, k1 is kept to join and re-key.
    rotated = KeyRing(keys=keyring.keys, current_id="k2")
    write_people_csv(source, IINS[:3])
    third = warehouse.load("people", source, personal=[PersonalColumn("iin")], keyring=rotated)
    assert third.version.pseudonymised == {"iin": ("k1", "k2")}
    assert (
        pq.read_table(third.version.data_path).column("iin").to_pylist()
        == pq.read_table(rekeyed.data_path).column("iin").to_pylist()
    )

    # Without the old key, a load cannot join the published pseudonyms: it is refused.
    only_new = KeyRing(keys={"k2": keyring.keys["k2"]}, current_id="k2")
    with pytest.raises(PseudonymKeyError):
        warehouse.load("people", source, personal=[PersonalColumn("iin")], keyring=only_new)
    assert warehouse.current("people").version == 3  # type: ignore[union-attr]


def test_scalar_and_vector_paths_normalise_alike(keyring: KeyRing) -> None:
    spaces = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    value = f"{spaces}9501{spaces}01300123{spaces}"
    expected = keyring.pseudonymise("950101300123")
    assert keyring.pseudonymise(value) == expected
    assert keyring.pseudonymise_array(pa.array([value])).to_pylist() == [expected]
    numbers = pa.chunked_array([pa.array([950101300123, None], pa.int64())])
    assert keyring.pseudonymise_array(numbers).to_pylist() == [expected, None]
    assert keyring.pseudonymise_array(pa.array([], pa.string())).to_pylist() == []
