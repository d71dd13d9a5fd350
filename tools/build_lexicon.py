"""Build the Swedish word list the text analyser uses to split compounds and find base forms.

Run once when the list should change (it is committed, so the platform never needs this):

    uv run --no-project --with wordfreq python tools/build_lexicon.py

It writes smartplatform/core/data/sv-words.tsv.gz: one folded word (lower case, å/ä/ö -> a/a/o)
per line with its Zipf frequency times 100. The frequencies come from wordfreq
(https://github.com/rspeer/wordfreq), whose data is licensed CC BY-SA 4.0.
"""

import gzip
import math
import sys
from collections import defaultdict
from pathlib import Path

import wordfreq  # type: ignore[import-not-found]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from smartplatform.core.analysis import fold

MIN_ZIPF = 2.3
TARGET = Path(__file__).resolve().parent.parent / "smartplatform/core/data/sv-words.tsv.gz"


def main() -> None:
    frequencies: dict[str, float] = defaultdict(float)
    for word, frequency in wordfreq.get_frequency_dict("sv", "large").items():
        if word.isalpha() and len(word) >= 2:
            frequencies[fold(word)] += frequency
    rows = sorted(
        (word, round((math.log10(frequency) + 9) * 100))
        for word, frequency in frequencies.items()
        if math.log10(frequency) + 9 >= MIN_ZIPF
    )
    text = "# folded Swedish word\tZipf frequency x 100 (wordfreq, CC BY-SA 4.0)\n" + "".join(
        f"{word}\t{zipf}\n" for word, zipf in rows
    )
    # mtime=0: the same words give the same bytes, so a rebuild shows no change in git.
    TARGET.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{len(rows)} words -> {TARGET}")  # noqa: T201


if __name__ == "__main__":
    main()
