#!/usr/bin/env python3
"""Lists broken relative links in the repository's Markdown files: a target file or folder that does not exist, or a
#fragment that names no heading of the target page (GitHub's anchors: lower case, punctuation dropped, spaces to
hyphens). Web links are not fetched. Exits 1 when a link is broken.

Usage: python3 scripts/check-links.py
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINK = re.compile(r'(?<!\\)\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
HEADING = re.compile(r'^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$')
FENCE = re.compile(r'^\s*(```|~~~)')


def markdown_files():
    # The tracked files, so that build output and scratch files are left out.
    listed = subprocess.run(['git', 'ls-files', '*.md'], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [line for line in listed.splitlines() if line]


def outside_code(lines):
    """The lines outside fenced code blocks, with inline code spans removed."""
    fenced = False
    for number, line in enumerate(lines, 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, re.sub(r'`[^`]*`', '', line)


def anchor(heading):
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', heading)  # a link in a heading keeps its text
    text = re.sub(r'[`*_]', '', text).strip().lower()
    text = re.sub(r'[^\w\- ]', '', text)
    return text.replace(' ', '-')


def anchors(path):
    seen = {}
    result = set()
    with open(path, encoding='utf-8') as f:
        for _, line in outside_code(f.read().splitlines()):
            match = HEADING.match(line)
            if match:
                slug = anchor(match.group(1))
                count = seen.get(slug, 0)
                seen[slug] = count + 1
                result.add(slug if count == 0 else f'{slug}-{count}')
    return result


def main():
    broken = []
    for page in markdown_files():
        full = os.path.join(ROOT, page)
        with open(full, encoding='utf-8') as f:
            lines = f.read().splitlines()
        for number, line in outside_code(lines):
            for target in LINK.findall(line):
                if re.match(r'^[a-z][a-z0-9+.-]*:', target, re.I):
                    continue  # http:, https:, mailto:
                path, _, fragment = target.partition('#')
                resolved = os.path.normpath(os.path.join(os.path.dirname(full), path)) if path else full
                if os.path.relpath(resolved, ROOT).split(os.sep)[0] == '..':
                    broken.append(f'{page}:{number}: {target}: outside the repository')
                elif not os.path.exists(resolved):
                    broken.append(f'{page}:{number}: {target}: no such file')
                elif fragment and resolved.endswith('.md') and fragment.lower() not in anchors(resolved):
                    broken.append(f'{page}:{number}: {target}: no heading #{fragment}')
    for line in broken:
        print(line)
    print(f'{len(broken)} broken relative links in {len(markdown_files())} Markdown files.')
    return 1 if broken else 0


if __name__ == '__main__':
    sys.exit(main())
