"""Files at rest are sealed in chunks: read back exactly, and any change or cut is refused."""

from __future__ import annotations

import io
import os

import pytest
from cryptography.exceptions import InvalidTag

from bigcare import crypto


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch):
    monkeypatch.setattr(crypto, "FILE_CHUNK", 64)


def _seal(path, plain: bytes) -> None:
    with open(path, "wb") as raw:
        writer = crypto.EncryptingWriter(raw)
        for start in range(0, len(plain), 50):  # writes that straddle chunk boundaries
            writer.write(plain[start : start + 50])
        writer.close()


@pytest.mark.parametrize("size", [0, 1, 64, 65, 128, 1000])
def test_a_sealed_file_reads_back_exactly_and_seeks(tmp_path, size):
    plain = os.urandom(size)
    path = tmp_path / "f.enc"
    _seal(path, plain)
    assert plain[:8] not in path.read_bytes() or size < 8
    with crypto.open_sealed(path, name="f.csv") as stream:
        assert stream.name == "f.csv"
        assert stream.read() == plain
        assert stream.seek(0, io.SEEK_END) == size
        stream.seek(size // 2)
        assert stream.read(100) == plain[size // 2 : size // 2 + 100]


def test_a_changed_byte_is_refused(tmp_path):
    path = tmp_path / "f.enc"
    _seal(path, b"x" * 200)
    data = bytearray(path.read_bytes())
    data[-30] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidTag), crypto.open_sealed(path) as stream:
        stream.read()


def test_a_file_cut_at_a_chunk_boundary_is_refused(tmp_path):
    path = tmp_path / "f.enc"
    _seal(path, b"x" * 200)  # 64 + 64 + 64 + 8
    data = path.read_bytes()
    path.write_bytes(data[: -(8 + 16)])  # the last chunk dropped
    with pytest.raises(InvalidTag), crypto.open_sealed(path) as stream:
        stream.read()
