Documentation.addTranslations({
    "locale": "nb",
    "messages": {
        ", in ": ", i ",
        "Hide Search Matches": "Skjul s\u00f8ketreff",
        "Preparing search...": "Forbereder s\u00f8ket \u2026",
        "Search": "S\u00f8k",
        "Search Results": "S\u00f8keresultater",
        "Search finished, found ${resultCount} page(s) matching the search query.": "S\u00f8ket er ferdig: ${resultCount} side(r) passer til s\u00f8ket.",
        "Searching": "S\u00f8ker",
        "Your search did not match any documents. Please make sure that all words are spelled correctly and that you've selected enough categories.": "S\u00f8ket ga ingen treff. Sjekk at ordene er stavet riktig, eller pr\u00f8v f\u00e6rre eller andre ord."
    },
    "plural_expr": "(n != 1)"
});
