"""The `lmp` command line.

Each subcommand's work lives in its own module (imported lazily, so `lmp --help` is fast); this file
only declares the arguments and turns errors into one specific line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import re
import sys
import traceback
from pathlib import Path

from lmp_helpers.errors import LmpError

# subcommand -> (module, function). The function takes the parsed argparse namespace.
COMMANDS = {
    "simulate": ("lmp_helpers.simulate", "cli_simulate"),
    "import": ("lmp_helpers.importer", "cli_import"),
    "validate": ("lmp_helpers.data", "cli_validate"),
    "tables": ("lmp_helpers.tables", "cli_tables"),
    "run": ("lmp_helpers.runner", "cli_run"),
    "watch": ("lmp_helpers.watch", "cli_watch"),
}

# argparse's own (English) messages, as patterns -> Norwegian. Anything else keeps argparse's text.
_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (.+)", lambda m: f"mangler påkrevd argument {m[1]}"),
    (r"argument (\S+): invalid int value: (.+)", lambda m: f"{m[1]}: {m[2]} er ikke et heltall"),
    (r"argument (\S+): invalid choice: (\S+) \(choose from (.+)\)",
     lambda m: f"ugyldig valg {m[2]} for {m[1]}; tillatt: {m[3]}"),
    (r"argument (\S+): expected one argument", lambda m: f"{m[1]} mangler en verdi"),
    (r"argument (\S+): expected at least one argument", lambda m: f"{m[1]} mangler minst én verdi"),
    (r"argument (\S+): (.+)", lambda m: f"{m[1]}: {m[2]}"),
    (r"unrecognized arguments: (.+)", lambda m: f"ukjente argumenter: {m[1]}"),
    (r"ambiguous option: (\S+) could match (.+)", lambda m: f"tvetydig valg {m[1]} (kan bety {m[2]})"),
]

# errno -> what it means, in Norwegian (OS errors are named with the user's path, not a temp file)
_OS_ERRORS = {
    errno.EACCES: "ingen tilgang",
    errno.EPERM: "ikke tillatt",
    errno.ENOSPC: "disken er full",
    errno.EROFS: "filsystemet er skrivebeskyttet",
    errno.ENOENT: "finnes ikke",
    errno.EISDIR: "er en mappe",
    errno.ENOTDIR: "en del av stien er ikke en mappe",
    errno.EEXIST: "finnes allerede",
    errno.EDQUOT: "diskkvoten er brukt opp",
    errno.ENAMETOOLONG: "navnet er for langt",
    errno.EIO: "lese-/skrivefeil på disken",
}


def os_error_message(exc: OSError) -> str:
    """«<path>: <what> (<English strerror>)» for an OSError, hiding our own temp and staging names."""
    what = _OS_ERRORS.get(exc.errno or -1, exc.strerror or type(exc).__name__)
    name = exc.filename
    if name is not None:
        name = _user_path(str(name))
        return f"{name}: {what}"
    return f"{what} ({exc.strerror or exc})"


def _user_path(name: str) -> str:
    """Our temp files (`.<name>.XXXX.tmp`) and staging folders (`.<out>.staging-…`) are named by the file or
    folder the user asked for."""
    p = Path(name)
    m = re.fullmatch(r"\.(.+?)\.[^.]+\.tmp", p.name)
    if m:
        p = p.with_name(m[1])
    parts = [re.sub(r"^\.(.+?)\.lmp-(?:staging|old)-\d+$", r"\1", part) for part in p.parts]
    return str(Path(*parts))


class NorwegianParser(argparse.ArgumentParser):
    """argparse with its errors as one Norwegian line and exit 2, like every other error of `lmp`."""

    def error(self, message: str):  # noqa: D102 - argparse API
        for pattern, fmt in _ARGPARSE_MESSAGES:
            m = re.fullmatch(pattern, message)
            if m:
                message = fmt(m)
                break
        print(f"{self.prog}: feil: {message} (se {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


def _nonempty(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("tom tekst er ikke en sti; oppgi en mappe")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = NorwegianParser(
        prog="lmp",
        description="Reproduser delrapport 2 i evalueringen av Læringsmiljøprosjektet fra mikrodata.",
    )
    parser.add_argument("--debug", action="store_true", help="vis full traceback ved feil")
    sub = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO",
                                parser_class=NorwegianParser)

    p = sub.add_parser("simulate", help="lag det syntetiske datasettet (seedet, deterministisk)")
    p.add_argument("--seed", type=int, default=None, help="seed (standard: fra kalibreringsfila)")
    p.add_argument("--out", default=None, type=_nonempty, help="mappe for CSV-filene (standard: data/synthetic)")

    p = sub.add_parser("import", help="konverter en eksport fra spørreskjemaverktøyet til kanonisk CSV")
    p.add_argument("file", help=".xlsx eller .csv (UTF-8, UTF-8 med BOM eller cp1252; , eller ;)")
    p.add_argument("--group", required=True, help="ppt, skoleleder eller skoleeier")
    p.add_argument("--out", required=True, type=_nonempty, help="datamappe der <gruppe>.csv skrives")
    p.add_argument("--map", default=None, metavar="FIL",
                   help="egen kolonneoversettelse: YAML med «overskrift: kolonne» (tom = hopp over)")
    p.add_argument("--ignore", action="append", default=None, metavar="KOLONNER",
                   help="kommaseparerte overskrifter som skal hoppes over (f.eks. «Starttid,Status»)")
    p.add_argument("--sheet", default=None, metavar="ARK", help="arket med svarene (.xlsx)")
    p.add_argument("--header-row", type=int, default=None, metavar="N",
                   help="linjen/raden med overskriften (standard: finnes automatisk)")

    p = sub.add_parser("validate", help="sjekk en datamappe mot kodeboka")
    p.add_argument("data_dir", nargs="?", default=None, type=_nonempty, help="datamappe (standard: data/synthetic)")

    p = sub.add_parser("tables", help="skriv én CSV per figur/tabell, med prikking")
    p.add_argument("--pulje", default="alle", help="1, 2, 3 eller alle")
    p.add_argument("--data", default=None, type=_nonempty, help="datamappe (standard: data/synthetic)")
    p.add_argument("--min-n", type=int, default=5, help="minste n som vises (standard 5)")
    p.add_argument("--out", required=True, type=_nonempty, help="mappe for tabellene")

    p = sub.add_parser("run", help="kjør alle kapitler med papermill for hver pulje")
    p.add_argument("--pulje", nargs="+", default=["1", "2", "3", "alle"], help="én eller flere av 1 2 3 alle")
    p.add_argument("--data", default=None, type=_nonempty, help="datamappe (standard: data/synthetic)")
    p.add_argument("--min-n", type=int, default=5, help="minste n som vises (standard 5)")
    p.add_argument("--jobs", type=int, default=None, help="parallelle kjøringer (standard: antall kjerner)")
    p.add_argument("--out", default=None, type=_nonempty, help="mappe for kjørte notebooks (standard: generated)")
    p.add_argument("--force", action="store_true", help="kjør alt på nytt, se bort fra cachen")

    p = sub.add_parser("watch", help="hold nettstedet oppdatert: bygg på nytt ved hver endring (Ctrl-C avslutter)")
    p.add_argument("--pulje", nargs="+", default=["1", "2", "3", "alle"], help="én eller flere av 1 2 3 alle")
    p.add_argument("--data", default=None, type=_nonempty, help="datamappe (standard: data/synthetic)")
    p.add_argument("--min-n", type=int, default=5, help="minste n som vises (standard 5)")
    p.add_argument("--jobs", type=int, default=None, help="parallelle kjøringer (standard: antall kjerner)")
    p.add_argument("--interval", type=float, default=0.3, help="sekunder mellom hver sjekk av filene (standard 0,3)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # --debug is accepted anywhere on the line (before or after the subcommand), up to a «--»
    end = argv.index("--") if "--" in argv else len(argv)
    debug = "--debug" in argv[:end]
    argv = [a for i, a in enumerate(argv) if not (i < end and a == "--debug")]
    parser = build_parser()
    args = parser.parse_args(argv)
    args.debug = debug
    module_name, func_name = COMMANDS[args.command]
    try:
        func = getattr(importlib.import_module(module_name), func_name)
        result = func(args)
        return int(result or 0)
    except LmpError as exc:
        if debug:
            traceback.print_exc()
        print(f"lmp {args.command}: feil: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"lmp {args.command}: avbrutt", file=sys.stderr)
        return 130
    except OSError as exc:  # the disk or the permissions, not a bug: say which path and why
        if debug:
            traceback.print_exc()
        print(f"lmp {args.command}: feil: {os_error_message(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # unexpected: still one line unless --debug
        if debug:
            traceback.print_exc()
        else:
            text = " ".join(str(exc).split())
            print(
                f"lmp {args.command}: uventet feil ({type(exc).__name__}): {text} (kjør med --debug for detaljer)",
                file=sys.stderr,
            )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
