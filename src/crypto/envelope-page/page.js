/*
 * The script of the password envelope (docs/encryption.md). It runs in the recipient's browser, from
 * disk, under a CSP that allows no network: decrypts the embedded OpenPGP payload with the passphrase
 * (openpgp.js, inlined before this script), reads the decrypted MIME message and shows it as text only.
 * Plain browser JavaScript on purpose: it is inlined as it is, with nothing to build.
 */
(function () {
  'use strict';

  var form = document.getElementById('unlock');
  var input = document.getElementById('passphrase');
  var button = document.getElementById('open');
  var status = document.getElementById('status');
  var WRONG = 'That passphrase did not open this message; check it with the sender.';

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    unlock(input.value);
  });

  async function unlock(typed) {
    if (!typed.trim()) return say('Type the passphrase the sender gave you.', true);
    button.disabled = true;
    say('Opening the message…', false);
    try {
      var bytes = await decryptWithAny(candidates(typed));
      show(readMessage(bytes));
      form.hidden = true;
      say('', false);
    } catch (error) {
      say(error && error.name === 'Argon2OutOfMemoryError' ? 'This device does not have enough memory to open the message; try a computer.' : WRONG, true);
      input.focus();
      input.select();
    } finally {
      button.disabled = false;
    }
  }

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  /* Generated passphrases are upper case in dashed groups of four; accept them typed in any case or spacing. */
  function candidates(typed) {
    var exact = typed.trim();
    var compact = exact.replace(/[\s-]+/g, '').toUpperCase();
    var list = [exact];
    if (/^[A-Z0-9]{24}$/.test(compact)) {
      var grouped = compact.match(/.{4}/g).join('-');
      if (grouped !== exact) list.push(grouped);
    }
    return list;
  }

  async function decryptWithAny(passwords) {
    var armored = document.getElementById('payload').textContent.trim();
    var lastError;
    for (var index = 0; index < passwords.length; index += 1) {
      try {
        var message = await openpgp.readMessage({ armoredMessage: armored });
        var result = await openpgp.decrypt({ message: message, passwords: [passwords[index]], format: 'binary' });
        return result.data;
      } catch (error) {
        lastError = error;
        if (error && error.name === 'Argon2OutOfMemoryError') break;
      }
    }
    throw lastError;
  }

  /* ---- A small MIME reader (RFC 2045-2047, 2231): enough to show a message, never to render it. ---- */

  function binaryString(bytes) {
    var chunks = [];
    for (var start = 0; start < bytes.length; start += 0x8000) {
      chunks.push(String.fromCharCode.apply(null, bytes.subarray(start, start + 0x8000)));
    }
    return chunks.join('');
  }

  function toBytes(binary) {
    var bytes = new Uint8Array(binary.length);
    for (var index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index) & 0xff;
    return bytes;
  }

  function decodeText(bytes, charset) {
    try {
      return new TextDecoder(charset || 'utf-8').decode(bytes);
    } catch (error) {
      return new TextDecoder('utf-8').decode(bytes);
    }
  }

  /* Headers may carry raw UTF-8 (RFC 6532); anything else is read byte for byte. */
  function headerText(binary) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(toBytes(binary));
    } catch (error) {
      return binary;
    }
  }

  function splitEntity(binary) {
    var match = /\r?\n\r?\n/.exec(binary);
    var head = match ? binary.slice(0, match.index) : binary;
    var body = match ? binary.slice(match.index + match[0].length) : '';
    var headers = {};
    headerText(head)
      .replace(/\r?\n[ \t]/g, ' ')
      .split(/\r?\n/)
      .forEach(function (line) {
        var colon = line.indexOf(':');
        if (colon <= 0) return;
        var name = line.slice(0, colon).trim().toLowerCase();
        if (!(name in headers)) headers[name] = line.slice(colon + 1).trim();
      });
    return { headers: headers, body: body };
  }

  /* RFC 2047 encoded words; whitespace between two adjacent encoded words is not part of the text. */
  function decodeWords(value) {
    return (value || '')
      .replace(/(=\?[^?]+\?[bBqQ]\?[^?]*\?=)\s+(?==\?[^?]+\?[bBqQ]\?[^?]*\?=)/g, '$1')
      .replace(/=\?([^?*]+)(?:\*[^?]*)?\?([bBqQ])\?([^?]*)\?=/g, function (word, charset, encoding, text) {
        try {
          var binary = encoding.toUpperCase() === 'B' ? atob(text) : decodeQuotedPrintable(text.replace(/_/g, ' '));
          return decodeText(toBytes(binary), charset);
        } catch (error) {
          return word;
        }
      });
  }

  function decodeQuotedPrintable(text) {
    return text.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, function (match, hex) {
      return String.fromCharCode(parseInt(hex, 16));
    });
  }

  /* `type/subtype; name=value; name*=charset''percent-encoded; name*0*=…` */
  function parseStructured(value) {
    var parts = [];
    var current = '';
    var quoted = false;
    for (var index = 0; index < (value || '').length; index += 1) {
      var char = value[index];
      if (char === '"' && value[index - 1] !== '\\') quoted = !quoted;
      if (char === ';' && !quoted) {
        parts.push(current);
        current = '';
      } else current += char;
    }
    parts.push(current);
    var params = {};
    var extended = {};
    parts.slice(1).forEach(function (part) {
      var equals = part.indexOf('=');
      if (equals < 0) return;
      var key = part.slice(0, equals).trim().toLowerCase();
      var raw = part.slice(equals + 1).trim();
      if (raw[0] === '"') raw = raw.slice(1, -1).replace(/\\(.)/g, '$1');
      var continued = /^(.+?)\*(\d+)?(\*)?$/.exec(key);
      if (continued) {
        var entry = (extended[continued[1]] = extended[continued[1]] || []);
        entry[Number(continued[2] || 0)] = { text: raw, encoded: Boolean(continued[3]) || continued[2] === undefined };
      } else params[key] = decodeWords(raw);
    });
    Object.keys(extended).forEach(function (key) {
      var pieces = extended[key].filter(Boolean);
      var charset = 'utf-8';
      var first = pieces[0];
      if (first && first.encoded && /^[^']*'[^']*'/.test(first.text)) {
        charset = first.text.split("'")[0] || 'utf-8';
        first.text = first.text.replace(/^[^']*'[^']*'/, '');
      }
      var binary = pieces
        .map(function (piece) {
          return piece.encoded ? piece.text.replace(/%([0-9A-Fa-f]{2})/g, function (m, hex) { return String.fromCharCode(parseInt(hex, 16)); }) : piece.text;
        })
        .join('');
      params[key] = decodeText(toBytes(binary), charset);
    });
    return { value: parts[0].trim().toLowerCase(), params: params };
  }

  function decodeBody(body, transferEncoding) {
    var encoding = (transferEncoding || '').trim().toLowerCase();
    if (encoding === 'base64') return toBytes(atob(body.replace(/[^A-Za-z0-9+/=]/g, '')));
    if (encoding === 'quoted-printable') return toBytes(decodeQuotedPrintable(body));
    return toBytes(body);
  }

  function splitMultipart(body, boundary) {
    var delimiter = '--' + boundary;
    var parts = [];
    var lines = body.split(/(\r?\n)/);
    var current = null;
    for (var index = 0; index < lines.length; index += 2) {
      var line = lines[index];
      var ending = lines[index + 1] || '';
      if (line.replace(/[ \t]+$/, '') === delimiter + '--') break;
      if (line.replace(/[ \t]+$/, '') === delimiter) {
        if (current !== null) parts.push(current.replace(/\r?\n$/, ''));
        current = '';
        continue;
      }
      if (current !== null) current += line + ending;
    }
    if (current !== null) parts.push(current.replace(/\r?\n$/, ''));
    return parts;
  }

  function walk(binary, found, depth) {
    var entity = splitEntity(binary);
    var type = parseStructured(entity.headers['content-type'] || 'text/plain; charset=us-ascii');
    var disposition = parseStructured(entity.headers['content-disposition'] || '');
    var filename = disposition.params.filename || type.params.name;
    if (type.value.indexOf('multipart/') === 0 && type.params.boundary && depth < 20) {
      splitMultipart(entity.body, type.params.boundary).forEach(function (part) { walk(part, found, depth + 1); });
      return;
    }
    var isAttachment = disposition.value === 'attachment' || Boolean(filename) || type.value === 'message/rfc822';
    var bytes = decodeBody(entity.body, entity.headers['content-transfer-encoding']);
    if (!isAttachment && type.value === 'text/plain' && found.text === undefined) found.text = decodeText(bytes, type.params.charset);
    else if (!isAttachment && type.value === 'text/html' && found.html === undefined) found.html = decodeText(bytes, type.params.charset);
    else if (!isAttachment && type.value.indexOf('text/') === 0 && found.text === undefined) found.text = decodeText(bytes, type.params.charset);
    else {
      var fallback = type.value === 'message/rfc822' ? 'attached-message.eml' : 'attachment-' + (found.attachments.length + 1);
      found.attachments.push({ name: filename || fallback, type: type.value || 'application/octet-stream', bytes: bytes });
    }
  }

  function readMessage(bytes) {
    var binary = binaryString(bytes);
    var top = splitEntity(binary);
    var found = { text: undefined, html: undefined, attachments: [] };
    walk(binary, found, 0);
    return {
      from: decodeWords(top.headers.from),
      to: decodeWords(top.headers.to),
      cc: decodeWords(top.headers.cc),
      date: top.headers.date || '',
      subject: decodeWords(top.headers.subject),
      text: found.text !== undefined ? found.text : found.html !== undefined ? htmlToText(found.html) : '',
      attachments: found.attachments,
    };
  }

  /* Parsed into an inert document (no scripts run, nothing loads) and read back as text only. */
  function htmlToText(html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    doc.querySelectorAll('script, style, head, template').forEach(function (node) { node.remove(); });
    doc.querySelectorAll('br').forEach(function (node) { node.replaceWith('\n'); });
    doc.querySelectorAll('p, div, li, tr, h1, h2, h3, h4, h5, h6, blockquote, table').forEach(function (node) { node.append('\n'); });
    return (doc.body ? doc.body.textContent : '').replace(/\n{3,}/g, '\n\n').trim();
  }

  /* ---- Showing it: textContent only, so nothing in the message can run or load. ---- */

  function show(message) {
    [['from', message.from], ['to', message.to], ['cc', message.cc], ['date', message.date], ['subject', message.subject]].forEach(function (pair) {
      var row = document.getElementById('row-' + pair[0]);
      document.getElementById('field-' + pair[0]).textContent = pair[1];
      row.hidden = !pair[1];
    });
    document.getElementById('body').textContent = message.text;
    var list = document.getElementById('attachments');
    list.textContent = '';
    message.attachments.forEach(function (attachment) {
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([attachment.bytes], { type: 'application/octet-stream' }));
      link.download = attachment.name.replace(/[\\/]/g, '_');
      link.textContent = attachment.name;
      item.append(link, ' (' + size(attachment.bytes.length) + ')');
      list.append(item);
    });
    document.getElementById('attachments-section').hidden = message.attachments.length === 0;
    document.getElementById('message').hidden = false;
    document.getElementById('message-heading').focus();
  }

  function size(bytes) {
    if (bytes < 1024) return bytes + ' bytes';
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(0) + ' KB';
    return (bytes / (1024 * 1024)).toFixed(1) + ' MB';
  }
})();
