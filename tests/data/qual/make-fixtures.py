#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the REFI-QDA fixtures of tests/unit/test_qual.c (interviews.qdpx,
inline.qde, codebook.qdc) into this folder.  Python 3 is needed only to
write them again; the files are committed.  README.md says what each holds
and what the tests assert.  The texts and names are made up."""
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
NS = 'urn:QDA-XML:project:1.0'

# GUIDs: made up, upper case where defined (as ATLAS.ti writes them).
LI = '5A3E61B0-7C1D-4E2F-9A8B-1C2D3E4F5A01'
ANNA = '5A3E61B0-7C1D-4E2F-9A8B-1C2D3E4F5A02'
TRUST = '6B4F72C1-8D2E-4F30-AB9C-2D3E4F5A6B01'
TRUST_GOV = '6B4F72C1-8D2E-4F30-AB9C-2D3E4F5A6B02'
DISTRUST = '6B4F72C1-8D2E-4F30-AB9C-2D3E4F5A6B03'
PRIVACY = '6B4F72C1-8D2E-4F30-AB9C-2D3E4F5A6B04'
BENEFITS = '6B4F72C1-8D2E-4F30-AB9C-2D3E4F5A6B05'
AGE = '7C5083D2-9E3F-4041-BCAD-3E4F5A6B7C01'
GENDER = '7C5083D2-9E3F-4041-BCAD-3E4F5A6B7C02'
URBAN = '7C5083D2-9E3F-4041-BCAD-3E4F5A6B7C03'
P01 = '8D6194E3-AF40-4152-CDBE-4F5A6B7C8D01'
P02 = '8D6194E3-AF40-4152-CDBE-4F5A6B7C8D02'
P03 = '8D6194E3-AF40-4152-CDBE-4F5A6B7C8D03'
P05 = '8D6194E3-AF40-4152-CDBE-4F5A6B7C8D05'
S1 = '9E72A5F4-B051-4263-DECF-5A6B7C8D9E01'
S2 = '9E72A5F4-B051-4263-DECF-5A6B7C8D9E02'
S3 = '9E72A5F4-B051-4263-DECF-5A6B7C8D9E03'
S4 = '9E72A5F4-B051-4263-DECF-5A6B7C8D9E04'
S5 = '9E72A5F4-B051-4263-DECF-5A6B7C8D9E05'


def sel(n):
    return 'AF83B605-C162-4374-EFD0-6B7C8D9EAF%02d' % n


def cod(n):
    return 'B094C716-D273-4485-F0E1-7C8D9EAFB0%02d' % n


# Source 1: Chinese, CRLF line ends, written with a UTF-8 BOM (NVivo for
# Windows does); positions count the code points after the BOM.
S1_TEXT = ('访谈一：李女士\r\n'
           '我觉得社会信用体系让城市更安全。\r\n'
           '但是我担心个人隐私。\r\n')
S2_TEXT = 'I trust the city government with my data. Littering scores are fair.'
S3_TEXT = 'Fees: paying on time earns points.\n'


def span(text, part):
    start = text.index(part)
    return start, start + len(part)


A = span(S1_TEXT, '社会信用体系')
B = span(S1_TEXT, '我担心个人隐私')
C = span(S1_TEXT, '我觉得社会信用体系让城市更安全。\r\n')
D = span(S2_TEXT, 'Littering scores are fair.')
E = span(S3_TEXT, 'paying on time')


def project_qde():
    # Users in a prefixed namespace, references to LI in lower case with
    # braces: the reader matches local names and GUIDs without case.
    li_ref = '{' + LI.lower() + '}'
    return f'''<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="Rongcheng interviews" origin="brisk fixture 1.0">
  <qda:Users xmlns:qda="{NS}">
    <qda:User guid="{LI}" name="Li Wei"/>
    <qda:User guid="{ANNA}" name="Anna"/>
  </qda:Users>
  <CodeBook>
    <Codes>
      <Code guid="{TRUST}" name="Trust" isCodable="false" color="#1F77B4">
        <Description>Trust in institutions</Description>
        <Code guid="{TRUST_GOV}" name="Trust in government" isCodable="true"/>
        <Code guid="{DISTRUST}" name="Distrust" isCodable="true"/>
      </Code>
      <Code guid="{PRIVACY}" name="Privacy" color="#D62728"/>
      <Code guid="{BENEFITS}" name="Benefits" isCodable="true"/>
      <Code guid="{P05}" name="P05" isCodable="true"/>
    </Codes>
  </CodeBook>
  <Variables>
    <Variable guid="{AGE}" name="age" typeOfVariable="Integer"/>
    <Variable guid="{GENDER}" name="gender" typeOfVariable="Text"/>
    <Variable guid="{URBAN}" name="urban" typeOfVariable="Boolean"/>
  </Variables>
  <Cases>
    <Case guid="{P01}" name="P01">
      <VariableValue><VariableRef targetGUID="{AGE}"/><IntegerValue>34</IntegerValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{GENDER}"/><TextValue> 女 </TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{URBAN}"/><BooleanValue>true</BooleanValue></VariableValue>
      <SourceRef targetGUID="{S1}"/>
    </Case>
    <Case guid="{P02}" name="P02">
      <VariableValue><VariableRef targetGUID="{AGE}"/><IntegerValue>51</IntegerValue></VariableValue>
      <SelectionRef targetGUID="{sel(4)}"/>
    </Case>
    <Case guid="{P03}">
      <CodeRef targetGUID="{BENEFITS}"/>
      <SourceRef targetGUID="{S3.lower()}"/>
    </Case>
    <Case guid="{P05}" name="P05"/>
  </Cases>
  <Sources>
    <TextSource guid="{S1}" name="P01 interview" plainTextPath="internal://{S1}.txt" creatingUser="{LI}">
      <PlainTextSelection guid="{sel(1)}" name="社会信用体系" startPosition="{A[0]}" endPosition="{A[1]}" creatingUser="{ANNA}">
        <Coding guid="{cod(1)}" creatingUser="{li_ref}"><CodeRef targetGUID="{TRUST_GOV}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{sel(2)}" name="" startPosition="{B[0]}" endPosition="{B[1]}" creatingUser="{ANNA}">
        <Description>worry</Description>
        <Coding guid="{cod(2)}"><CodeRef targetGUID="{PRIVACY.lower()}"/></Coding>
        <Coding guid="{cod(3)}" creatingUser="{LI}"><CodeRef targetGUID="{DISTRUST}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{sel(3)}" startPosition="{C[0]}" endPosition="{C[1]}">
        <Coding guid="{cod(4)}" creatingUser="{ANNA}"><CodeRef targetGUID="{BENEFITS}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{sel(9)}" name="a note, not coded" startPosition="0" endPosition="2"/>
    </TextSource>
    <TextSource guid="{S2}" name="P02 interview">
      <PlainTextContent>{S2_TEXT}</PlainTextContent>
      <PlainTextSelection guid="{sel(4)}" startPosition="{D[0]}" endPosition="{D[1]}">
        <Coding guid="{cod(5)}"><CodeRef targetGUID="{BENEFITS}"/></Coding>
      </PlainTextSelection>
      <Coding guid="{cod(6)}" creatingUser="{LI}"><CodeRef targetGUID="{PRIVACY}"/></Coding>
    </TextSource>
    <PDFSource guid="{S3}" name="Fees leaflet.pdf" path="internal://{S3}.pdf">
      <PDFSelection guid="{sel(5)}" page="0" firstX="10" firstY="20" secondX="300" secondY="90" creatingUser="{ANNA}">
        <Coding guid="{cod(7)}"><CodeRef targetGUID="{PRIVACY}"/></Coding>
      </PDFSelection>
      <Representation guid="{sel(8)}" plainTextPath="internal:///{S3.lower()}.TXT">
        <PlainTextSelection guid="{sel(6)}" startPosition="{E[0]}" endPosition="{E[1]}">
          <Coding guid="{cod(8)}" creatingUser="{LI}"><CodeRef targetGUID="{BENEFITS}"/></Coding>
        </PlainTextSelection>
      </Representation>
    </PDFSource>
    <AudioSource guid="{S4}" name="P04 audio" path="relative:///media/p04.m4a">
      <AudioSelection guid="{sel(7)}" begin="1200" end="5600" creatingUser="{ANNA}">
        <Coding guid="{cod(9)}"><CodeRef targetGUID="{DISTRUST}"/></Coding>
      </AudioSelection>
      <VariableValue><VariableRef targetGUID="{GENDER}"/><TextValue>male</TextValue></VariableValue>
    </AudioSource>
    <TextSource guid="{S5}" name="P05 note">
      <PlainTextContent>Short answer.</PlainTextContent>
      <Coding guid="{cod(10)}" creatingUser="{LI}"><CodeRef targetGUID="{P05}"/></Coding>
    </TextSource>
  </Sources>
</Project>
'''


def write_qdpx(path, entries):
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2024, 5, 17, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def main():
    qde = project_qde()
    write_qdpx(os.path.join(HERE, 'interviews.qdpx'), [
        ('Rongcheng interviews.qde', qde.encode('utf-8')),
        ('Sources/', b''),
        (f'Sources/{S1}.txt', b'\xef\xbb\xbf' + S1_TEXT.encode('utf-8')),
        (f'Sources/{S3}.txt', S3_TEXT.encode('utf-8')),
        (f'Sources/{S3}.pdf', b'%PDF-1.4 (not read)\n'),
        ('__MACOSX/._Rongcheng interviews.qde', b'\0\5\26\7 resource fork'),
    ])
    with open(os.path.join(HERE, 'inline.qde'), 'w', encoding='utf-8', newline='') as f:
        f.write(f'''<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="Inline">
  <Users><User guid="{LI}" name="Li Wei"/></Users>
  <CodeBook><Codes><Code guid="{PRIVACY}" name="Privacy" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{S2}" name="P02 interview">
      <PlainTextContent>{S2_TEXT}</PlainTextContent>
      <PlainTextSelection guid="{sel(4)}" startPosition="{D[0]}" endPosition="{D[1]}" creatingUser="{LI}">
        <Coding guid="{cod(5)}"><CodeRef targetGUID="{PRIVACY}"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
''')
    with open(os.path.join(HERE, 'codebook.qdc'), 'w', encoding='utf-8', newline='') as f:
        f.write(f'''<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="brisk fixture 1.0">
  <Codes>
    <Code guid="{{{TRUST.lower()}}}" name="Trust" isCodable="false">
      <Code guid="{TRUST_GOV}" name="Trust in government" isCodable="true" color="#1F77B4"/>
    </Code>
    <Code guid="{PRIVACY}" name="Privacy" isCodable="true"><Description>Data, surveillance</Description></Code>
  </Codes>
</CodeBook>
''')
    print('selections: A', A, 'B', B, 'C', C, 'D', D, 'E', E)
    print('S1 length', len(S1_TEXT), 'S3 length', len(S3_TEXT))


main()
