"""Norwegian search that also joins «skolelederne» and «skoleleder».

Sphinx's Norwegian (Snowball) stemmer leaves the agent noun's «-er»/«-ern» on some forms: skoleleder ->
«skoleled», skoleledere -> «skoleleder», skolelederne -> «skoleledern», so a search for «skolelederne» would
not find a page that only says «skoleleder». This search language applies Snowball and then strips one
trailing «ern» or «er» (the same rule in Python for the index and in JavaScript for the query).
"""

from __future__ import annotations

from pathlib import Path

import sphinx
from sphinx.search.no import SearchNorwegian

_MINIFIED = Path(sphinx.__file__).parent / "search" / "minified-js"
_EXTRA_JS = """
var LmpNorwegianStemmer = function() {
  var snowball = new NorwegianStemmer();
  this.stemWord = function(word) {
    var s = snowball.stemWord(word);
    if (s.length >= 6 && s.slice(-3) === "ern") return s.slice(0, -3);
    if (s.length >= 5 && s.slice(-2) === "er") return s.slice(0, -2);
    return s;
  };
};
Stemmer = LmpNorwegianStemmer;
"""


def strip_agent_suffix(stem: str) -> str:
    if len(stem) >= 6 and stem.endswith("ern"):
        return stem[:-3]
    if len(stem) >= 5 and stem.endswith("er"):
        return stem[:-2]
    return stem


class LmpSearchNorwegian(SearchNorwegian):
    lang = "no"
    js_stemmer_rawcode = ""  # the code below is used instead (Sphinx only reads js_stemmer_code then)
    js_stemmer_code = (
        (_MINIFIED / "base-stemmer.js").read_text(encoding="utf-8")
        + "\n"
        + (_MINIFIED / "norwegian-stemmer.js").read_text(encoding="utf-8")
        + _EXTRA_JS
    )

    def stem(self, word: str) -> str:
        return strip_agent_suffix(super().stem(word))


def setup(app):
    app.add_search_language(LmpSearchNorwegian)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
