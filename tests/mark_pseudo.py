#!/usr/bin/env python3
"""Makes the pseudo-language's worksheet.typ.j2 and answers.txt.j2 of
tests/language.rs from the English ones in templates/: every word wrapped in
⟦…⟧. Run from the repository's root after changing those two templates:

    python3 tests/mark_pseudo.py

Words are marked in Typst markup (also inside content blocks of code), in
strings inside maths, and in the plain-text template. Jinja tags, Typst
code, maths and comments are copied as they are; the few words the templates
write inside Jinja expressions are marked by FIXES below (a new one makes
the test fail, naming the word). The other files of tests/pseudo are written
by hand: their words are few, and each is a definition.
"""
import re
import sys

WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]")


def mark_words(text):
    return WORD.sub(lambda m: "⟦" + m.group(0) + "⟧", text)


class Marker:
    def __init__(self, src):
        self.s = src
        self.i = 0
        self.out = []

    def peek(self, n=0):
        j = self.i + n
        return self.s[j] if j < len(self.s) else ""

    def jinja(self):
        """Copies a Jinja tag at i, if there is one."""
        two = self.s[self.i:self.i + 2]
        ends = {"{{": "}}", "{%": "%}", "{#": "#}"}
        if two in ends:
            end = self.s.find(ends[two], self.i + 2)
            end = len(self.s) if end < 0 else end + 2
            self.out.append(self.s[self.i:end])
            self.i = end
            return True
        return False

    def markup(self, close=None):
        """Markup until `close` (']') or the end."""
        buf = []

        def flush():
            if buf:
                self.out.append(mark_words("".join(buf)))
                buf.clear()

        while self.i < len(self.s):
            c = self.peek()
            if close and c == close:
                flush()
                return
            if self.s.startswith(("{{", "{%", "{#"), self.i):
                flush()
                self.jinja()
                continue
            if c == "\\":
                buf.append(self.s[self.i:self.i + 2])
                self.i += 2
                continue
            if self.s.startswith("//", self.i) and (self.i == 0 or self.s[self.i - 1] in " \n"):
                flush()
                end = self.s.find("\n", self.i)
                end = len(self.s) if end < 0 else end
                self.out.append(self.s[self.i:end])
                self.i = end
                continue
            if c == "$":
                flush()
                self.math()
                continue
            if c == "#" and (self.peek(1).isalpha() or self.peek(1) in "{[("):
                flush()
                self.out.append("#")
                self.i += 1
                self.code_expr()
                continue
            if c == "[":
                flush()
                self.out.append("[")
                self.i += 1
                self.markup("]")
                if self.peek() == "]":
                    self.out.append("]")
                    self.i += 1
                continue
            buf.append(c)
            self.i += 1
        flush()

    def content_block(self):
        """A content block `[…]` at i: markup."""
        self.out.append("[")
        self.i += 1
        self.markup("]")
        self.out.append("]")
        self.i += 1

    def string(self):
        """A string literal at i, copied as it is."""
        end = self.s.find('"', self.i + 1)
        while self.s[end - 1] == "\\":
            end = self.s.find('"', end + 1)
        self.out.append(self.s[self.i:end + 1])
        self.i = end + 1

    def math(self):
        self.out.append("$")
        self.i += 1
        while self.i < len(self.s):
            if self.jinja():
                continue
            c = self.peek()
            if c == "\\":
                self.out.append(self.s[self.i:self.i + 2])
                self.i += 2
                continue
            if c == '"':
                end = self.s.find('"', self.i + 1)
                self.out.append('"' + mark_words(self.s[self.i + 1:end]) + '"')
                self.i = end + 1
                continue
            if c == "#":
                self.out.append("#")
                self.i += 1
                self.code_expr()
                continue
            self.out.append(c)
            self.i += 1
            if c == "$":
                return

    def code_expr(self):
        """A code expression after '#': an identifier with calls, fields and content blocks."""
        c = self.peek()
        if c == "{":
            self.code_block("{", "}")
            return
        if c == "(":
            self.code_block("(", ")")
            return
        if c == "[":
            self.content_block()
            return
        m = re.match(r"[A-Za-z_][\w\-]*", self.s[self.i:])
        if not m:
            return
        word = m.group(0)
        self.out.append(word)
        self.i += len(word)
        if word in ("let", "set", "show", "import", "include"):
            # The rest of the line is code.
            self.code_line()
            return
        while True:
            c = self.peek()
            if c == ".":
                m = re.match(r"\.[A-Za-z_][\w\-]*", self.s[self.i:])
                if not m:
                    return
                self.out.append(m.group(0))
                self.i += len(m.group(0))
            elif c == "(":
                self.code_block("(", ")")
            elif c == "[":
                self.content_block()
            else:
                return

    def code_line(self):
        depth = 0
        while self.i < len(self.s):
            if self.jinja():
                continue
            c = self.peek()
            if c == "\n" and depth == 0:
                return
            if c in "({":
                depth += 1
            elif c in ")}":
                depth -= 1
            elif c == "[":
                self.content_block()
                continue
            elif c == '"':
                self.string()
                continue
            elif c == "$":
                self.math()
                continue
            self.out.append(c)
            self.i += 1

    def code_block(self, open_, close):
        depth = 0
        while self.i < len(self.s):
            if self.jinja():
                continue
            c = self.peek()
            if c == '"':
                self.string()
                continue
            if c == "$":
                self.math()
                continue
            if c == "[":
                self.content_block()
                continue
            if c in "({":
                depth += 1
            elif c in ")}":
                depth -= 1
            self.out.append(c)
            self.i += 1
            if depth == 0:
                return


def mark_text(src):
    """A plain-text template: every word outside Jinja tags."""
    out = []
    i = 0
    for m in re.finditer(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", src, re.S):
        out.append(mark_words(src[i:m.start()]))
        out.append(m.group(0))
        i = m.end()
    out.append(mark_words(src[i:]))
    return "".join(out)


# Words inside Jinja expressions, which the marking above leaves alone.
FIXES = {
    "worksheet.typ.j2": [
        ('final=" and "', 'final=" ⟦and⟧ "'),
        ('final=" or "', 'final=" ⟦or⟧ "'),
        ('{{ "the biggest" if count > 2 else "a bigger" }}', '{{ "⟦the⟧ ⟦biggest⟧" if count > 2 else "⟦a⟧ ⟦bigger⟧" }}'),
        ('("QR code of this sheet\'s id, " ~', '("⟦QR⟧ ⟦code⟧ ⟦of⟧ ⟦this⟧ ⟦sheet\'s⟧ ⟦id⟧, " ~'),
    ],
    "answers.txt.j2": [
        ('weights|join(" and ")', 'weights|join(" ⟦and⟧ ")'),
        ('{"base": "base", "plus": "plus", "minus": "minus"}', '{"base": "⟦base⟧", "plus": "⟦plus⟧", "minus": "⟦minus⟧"}'),
    ],
}

# The first line of each file's opening comment, and what goes before it.
HEADERS = {
    "worksheet.typ.j2": ("{#- The worksheet, in the order of the original handout.", "templates/worksheet.typ.j2"),
    "answers.txt.j2": ("{#- The words of the model answers, one macro per answer, as plain text.", "templates/answers.txt.j2"),
}


def make(name):
    src = open("templates/" + name, encoding="utf-8").read()
    if name.endswith(".txt.j2"):
        out = mark_text(src)
    else:
        m = Marker(src)
        m.markup()
        out = "".join(m.out)
    for old, new in FIXES[name]:
        assert old in out, f"{name}: {old!r} is no longer in the template; update FIXES"
        out = out.replace(old, new)
    first, english = HEADERS[name]
    assert first in out, f"{name}: its opening comment changed; update HEADERS"
    note = f"{{#- The pseudo-language of tests/language.rs: {english} with\n    every word wrapped in ⟦…⟧ (made by tests/mark_pseudo.py).\n\n    "
    out = out.replace(first, note + first[len("{#- "):], 1)
    with open("tests/pseudo/" + name, "w", encoding="utf-8") as f:
        f.write(out)


if __name__ == "__main__":
    for name in FIXES:
        make(name)
