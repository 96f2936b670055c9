#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the bad coded-interview inputs of tests/bad/interviews: each a
small REFI-QDA project (or segments CSV) with one thing wrong, for
`brisk interviews FILE` (tests/bad/EXPECTED, section "coded interviews").
Python 3 is needed only to write them again; the files are committed.
The zip bomb is not here: bad.sh makes it at test time (generate())."""
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
NS = 'urn:QDA-XML:project:1.0'
USER = '5A3E61B0-7C1D-4E2F-9A8B-1C2D3E4F5A01'
CODE = '6B4F72C1-8D2E-4F30-AB9C-2D3E4F5A6B01'
SOURCE = '9E72A5F4-B051-4263-DECF-5A6B7C8D9E01'
TEXT = '我觉得社会信用体系让城市更安全。\n'   # 17 code points


def project(path=f'internal://{SOURCE}.txt', start=3, end=9, user=USER, code=CODE,
            case_source=SOURCE, text_user=None):
    user_attr = f' creatingUser="{user}"' if user else ''
    return f'''<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="bad">
  <Users><User guid="{USER}" name="Li Wei"/></Users>
  <CodeBook><Codes><Code guid="{CODE}" name="Trust" isCodable="true"/></Codes></CodeBook>
  <Cases><Case guid="8D6194E3-AF40-4152-CDBE-4F5A6B7C8D01" name="P01">
    <SourceRef targetGUID="{case_source}"/>
  </Case></Cases>
  <Sources>
    <TextSource guid="{SOURCE}" name="P01 interview" plainTextPath="{path}">
      <PlainTextSelection guid="AF83B605-C162-4374-EFD0-6B7C8D9EAF01" startPosition="{start}" endPosition="{end}">
        <Coding guid="B094C716-D273-4485-F0E1-7C8D9EAFB001"{user_attr}>
          <CodeRef targetGUID="{code}"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
'''


def qdpx(name, entries):
    with zipfile.ZipFile(os.path.join(HERE, name), 'w', zipfile.ZIP_DEFLATED) as z:
        for entry, data in entries:
            info = zipfile.ZipInfo(entry, date_time=(2024, 5, 17, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode('utf-8') if isinstance(data, str) else data)


def with_text(qde, text=TEXT.encode('utf-8')):
    return [('project.qde', qde), (f'sources/{SOURCE}.txt', text)]


def main():
    qdpx('no-qde.qdpx', [(f'sources/{SOURCE}.txt', TEXT), ('project.xml', project())])
    qdpx('two-qde.qdpx', [('a.qde', project()), ('backup/b.qde', project()),
                          (f'sources/{SOURCE}.txt', TEXT)])
    qdpx('malformed-xml.qdpx', with_text(project().replace('</Case></Cases>', '</Cases>')))
    qdpx('unknown-code.qdpx',
         with_text(project(code='0000AAAA-0000-0000-0000-00000000C0DE')))
    qdpx('unknown-source.qdpx',
         with_text(project(case_source='0000AAAA-0000-0000-0000-00000000501E')))
    qdpx('unknown-user.qdpx', with_text(project(user='0000AAAA-0000-0000-0000-0000000005E2')))
    qdpx('beyond-text.qdpx', with_text(project(start=3, end=40)))
    qdpx('start-after-end.qdpx', with_text(project(start=9, end=3)))
    # GB18030 bytes where UTF-8 is expected
    qdpx('non-utf8.qdpx', with_text(project(), TEXT.encode('gb18030')))
    qdpx('traversal-entry.qdpx', with_text(project()) + [('sources/../../evil.txt', 'x')])
    qdpx('traversal-path.qdpx', with_text(project(path='internal://../../etc/passwd')))
    qdpx('external-source.qdpx', with_text(project(path='relative:///P01.txt')))
    with open(os.path.join(HERE, 'not-a-zip.qdpx'), 'w', encoding='utf-8') as f:
        f.write(project())   # a .qde renamed .qdpx
    with open(os.path.join(HERE, 'bare-internal.qde'), 'w', encoding='utf-8') as f:
        f.write(project())   # a .qde whose text is in a file only a .qdpx carries
    with open(os.path.join(HERE, 'conflicting-attributes.csv'), 'w', encoding='utf-8') as f:
        f.write('participant,coder,code,age\n'
                'P01,Li Wei,Trust,34\n'
                'P02,Li Wei,Trust,51\n'
                'P01,Anna,Trust/Distrust,43\n')
    with open(os.path.join(HERE, 'segments-no-code.csv'), 'w', encoding='utf-8') as f:
        f.write('participant,theme\nP01,Trust\n')
    with open(os.path.join(HERE, 'segments-start-after-end.csv'), 'w', encoding='utf-8') as f:
        f.write('participant,code,start,end,text\nP01,Trust,3,9,体系让城市更\nP02,Trust,9,3,x\n')


main()
