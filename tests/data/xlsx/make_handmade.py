#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the hand-made .xlsx files of the tests, XML written out by hand
so that each holds exactly the feature (or the fault) it is about:

  tests/data/xlsx/inline.xlsx   what openxlsx never writes: inline strings,
      formula strings (t="str"), error cells, cells without a reference,
      rich-text and phonetic runs in shared strings, an absolute
      relationship target, a Qualtrics-like second and third header row
      after a preamble row (read with skip = 1, header_rows = 3)
  tests/bad/xlsx-*.xlsx          one fault each (tests/bad/EXPECTED)

Run from tests/data/xlsx:  python3 make_handmade.py
The data are made up."""
import struct
import zipfile

CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="xml" ContentType="application/xml"/></Types>')
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def workbook(sheets):
    body = ''.join('<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (n, i + 1, i + 1)
                   for i, n in enumerate(sheets))
    return '<?xml version="1.0"?>\n<workbook %s %s><sheets>%s</sheets></workbook>' % (
        NS, RNS, body)


def rels(targets):
    body = ''.join('<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/worksheet" Target="%s"/>' % (i + 1, t)
                   for i, t in enumerate(targets))
    return ('<?xml version="1.0"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships">%s</Relationships>' % body)


def sheet(rows):
    return '<?xml version="1.0"?>\n<worksheet %s><sheetData>%s</sheetData></worksheet>' % (
        NS, ''.join(rows))


def write(path, parts):
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)


def book(path, rows, sheets=('Data',), extra=()):
    write(path, [('[Content_Types].xml', CT), ('xl/workbook.xml', workbook(sheets)),
                 ('xl/_rels/workbook.xml.rels',
                  rels(['worksheets/sheet%d.xml' % (i + 1) for i in range(len(sheets))]))]
          + [('xl/worksheets/sheet%d.xml' % (i + 1), sheet(rows)) for i in range(len(sheets))]
          + list(extra))


def patch_sizes(path, entry, size):
    """Make entry declare an uncompressed size of size bytes (local and
    central headers), as a hostile archive would."""
    data = bytearray(open(path, 'rb').read())
    name = entry.encode()
    at = data.find(b'PK\x03\x04')
    while at >= 0:
        n = struct.unpack_from('<H', data, at + 26)[0]
        if data[at + 30:at + 30 + n] == name:
            struct.pack_into('<I', data, at + 22, size)
        at = data.find(b'PK\x03\x04', at + 4)
    at = data.find(b'PK\x01\x02')
    while at >= 0:
        n = struct.unpack_from('<H', data, at + 28)[0]
        if data[at + 46:at + 46 + n] == name:
            struct.pack_into('<I', data, at + 24, size)
        at = data.find(b'PK\x01\x02', at + 4)
    open(path, 'wb').write(bytes(data))


# ---- inline.xlsx ---------------------------------------------------------
sst = ('<?xml version="1.0"?>\n<sst %s count="4" uniqueCount="4">'
       '<si><t>id</t></si>'
       '<si><r><t>tru</t></r><r><rPr><b/></rPr><t>st</t></r></si>'
       '<si><t>Tokyo</t><rPh sb="0" eb="2"><t>TOUKYOU</t></rPh></si>'
       '<si><t xml:space="preserve"> How much do you trust the city? </t></si>'
       '</sst>' % NS)
rows = [
    '<row r="1"><c r="A1" t="inlineStr"><is><t>exported 2020-01-01</t></is></c></row>',
    '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c>'
    '<c r="C2" t="inlineStr"><is><t>city</t></is></c><c r="D2" t="inlineStr"><is><t>ratio</t></is></c></row>',
    '<row r="3"><c r="A3" t="inlineStr"><is><t>Respondent</t></is></c><c r="B3" t="s"><v>3</v></c>'
    '<c r="C3" t="inlineStr"><is><t>City</t></is></c><c r="D3" t="inlineStr"><is><t>Ratio</t></is></c></row>',
    '<row r="4"><c r="A4" t="inlineStr"><is><t>{"ImportId":"QID1"}</t></is></c>'
    '<c r="B4" t="inlineStr"><is><t>{"ImportId":"QID2"}</t></is></c></row>',
    # no r on the cells: they follow each other from A
    '<row r="5"><c><v>1</v></c><c><v>4</v></c><c t="s"><v>2</v></c><c><f>B5/2</f><v>2</v></c></row>',
    '<row r="7"><c r="A7"><v>2</v></c><c r="B7" t="str"><f>"3"</f><v>3</v></c>'
    '<c r="C7" t="inlineStr"><is><r><t>Os</t></r><r><t>aka</t></r></is></c>'
    '<c r="D7" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>',
    '<row r="8"><c r="A8"><v>3</v></c><c r="B8" s="0"/><c r="C8" t="inlineStr"><is><t>NA</t></is></c>'
    '<c r="D8"><v>0.125</v></c></row>',
]
write('inline.xlsx', [
    ('[Content_Types].xml', CT), ('xl/workbook.xml', workbook(['Survey'])),
    ('xl/_rels/workbook.xml.rels', rels(['/xl/worksheets/data.xml'])),
    ('xl/sharedStrings.xml', sst), ('xl/worksheets/data.xml', sheet(rows))])

# ---- tests/bad -----------------------------------------------------------
bad = '../../bad/'
HEAD = '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>tg1</t></is></c></row>'
DATA = '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>4</v></c></row>'

open(bad + 'xlsx-encrypted.xlsx', 'wb').write(
    b'\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1' + b'\0' * 504)
open(bad + 'xlsx-truncated.xlsx', 'wb').write(open('types.xlsx', 'rb').read()[:3000])
write(bad + 'xlsx-no-workbook.xlsx', [('[Content_Types].xml', CT),
                                      ('word/document.xml', '<document/>')])
book(bad + 'xlsx-two-sheets.xlsx', [HEAD, DATA], sheets=('Wave 1', 'Wave 2'))
# the sheet says it inflates to 1,000 bytes and gives 2 MB
book(bad + 'xlsx-bomb.xlsx', [HEAD, DATA, '<row r="3">' + ' ' * 2000000 + '</row>'])
patch_sizes(bad + 'xlsx-bomb.xlsx', 'xl/worksheets/sheet1.xml', 1000)
# the shared strings say they are 300 MiB (the limit of one part: 256 MiB)
book(bad + 'xlsx-huge-part.xlsx', [HEAD, DATA],
     extra=[('xl/sharedStrings.xml', '<sst %s/>' % NS)])
patch_sizes(bad + 'xlsx-huge-part.xlsx', 'xl/sharedStrings.xml', 300 << 20)
# "billion laughs": entities declared in the workbook
laughs = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
          '<workbook %s %s><sheets><sheet name="&lol2;" sheetId="1" r:id="rId1"/></sheets>'
          '</workbook>' % (NS, RNS))
write(bad + 'xlsx-entities.xlsx', [('[Content_Types].xml', CT), ('xl/workbook.xml', laughs),
                                   ('xl/_rels/workbook.xml.rels', rels(['worksheets/sheet1.xml'])),
                                   ('xl/worksheets/sheet1.xml', sheet([HEAD, DATA]))])
write(bad + 'xlsx-bad-xml.xlsx', [('[Content_Types].xml', CT),
                                  ('xl/workbook.xml', workbook(['Data'])),
                                  ('xl/_rels/workbook.xml.rels', rels(['worksheets/sheet1.xml'])),
                                  ('xl/worksheets/sheet1.xml',
                                   '<?xml version="1.0"?>\n<worksheet %s>\n<sheetData>%s\n'
                                   '<row r="2"><c r="A2"><v>1</v></row>\n</sheetData></worksheet>'
                                   % (NS, HEAD))])
write(bad + 'xlsx-no-sheet-part.xlsx', [('[Content_Types].xml', CT),
                                        ('xl/workbook.xml', workbook(['Data'])),
                                        ('xl/_rels/workbook.xml.rels',
                                         rels(['worksheets/sheet1.xml']))])
book(bad + 'xlsx-empty-name.xlsx',
     ['<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>'
      '<c r="C1" t="inlineStr"><is><t>tg1</t></is></c></row>',
      '<row r="2"><c r="A2"><v>1</v></c><c r="C2"><v>4</v></c></row>'])
book(bad + 'xlsx-no-name.xlsx', [HEAD, DATA, '<row r="3"><c r="A3"><v>2</v></c>'
                                 '<c r="E3"><v>5</v></c></row>'])
book(bad + 'xlsx-bad-reference.xlsx', [HEAD, '<row r="2"><c r="A3"><v>1</v></c></row>'])
book(bad + 'xlsx-bad-number.xlsx', [HEAD, '<row r="2"><c r="A2"><v>1</v></c>'
                                    '<c r="B2"><v>4x</v></c></row>'])
book(bad + 'xlsx-bad-shared.xlsx', [HEAD, '<row r="2"><c r="A2" t="s"><v>7</v></c></row>'])
book(bad + 'xlsx-header-only.xlsx', [HEAD])
# a cell given twice (found by fuzz_xlsx in the label row: leaked a label)
book(bad + 'xlsx-duplicate-cell.xlsx',
     ['<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>'
      '<c r="A1" t="inlineStr"><is><t>again</t></is></c></row>', DATA])
