"""How the corpus was written: messages in the shapes Outlook, Thunderbird, Gmail, Apple Mail
and phones send (headers, MIME layout, encodings), with their expected outcome beside each.
Re-run only to regenerate: `python tests/mail/corpus/make_corpus.py`."""
import base64
import gzip
import os
import quopri
import textwrap

D = os.path.dirname(os.path.abspath(__file__))
def w(name, data, expect, crlf=False):
    if isinstance(data, str):
        data = data.encode("utf-8")
    data = data.lstrip(b"\n")
    if crlf:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    path = os.path.join(D, name)
    if name.endswith(".gz"):
        open(path, "wb").write(gzip.compress(data, mtime=0))
        stem = name[:-7]
    else:
        open(path, "wb").write(data)
        stem = name[:-4]
    open(os.path.join(D, stem + ".toml"), "w").write(textwrap.dedent(expect).lstrip())

def qp(s, cs="utf-8"): return quopri.encodestring(s.encode(cs)).decode("ascii")
def b64(b): return "\n".join(textwrap.wrap(base64.b64encode(b).decode(), 76))

T = "Bonjour,\n\nL'imprimante du 2e étage affiche « bourrage papier » depuis ce matin.\nÇa bloque toute l'équipe comptabilité.\n\nMerci d'avance,\nHélène Bérard\n"

_X1 = qp("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body><p class=MsoNormal>Bonjour,</p><p class=MsoNormal>L'imprimante du 2e <b>étage</b> affiche « bourrage papier ».</p></body></html>")
_X2 = b64("Bonjour,\n\nQuelles sont les règles pour les congés de fin d'année ? Noël tombe un vendredi.\n\nThéo\n".encode())
_X3 = b64("<div dir=\"ltr\">Bonjour,<div><br></div><div>Quelles sont les règles pour les congés de fin d'année ? Noël tombe un vendredi.</div><div><br></div><div>Théo</div></div>".encode())
_X4 = qp("Bonjour,\n\nVoici la facture reçue cet été, à régler avant le 15.\n\nCamille\n")
_X5 = b64(b"PK\x03\x04 fake docx")
_X6 = qp("Voici le planning de février.\n", "iso-8859-1")

w("01_outlook_alternative_qp.eml", f"""
Received: from EXCH01.mairie.example (10.0.0.5) by EXCH02.mairie.example
From: =?iso-8859-1?Q?H=E9l=E8ne_B=E9rard?= <helene.berard@mairie.example>
To: Support <support@example.org>
Subject: =?iso-8859-1?Q?Imprimante_du_2e_=E9tage_en_panne?=
Thread-Topic: Imprimante du 2e étage en panne
Thread-Index: AdnXyz1234567890abcdef==
Date: Mon, 23 Nov 2026 09:12:44 +0000
Message-ID: <DB9PR01MB1234ABCD@DB9PR01MB1234.eurprd01.prod.outlook.com>
Accept-Language: fr-FR, en-US
Content-Language: fr-FR
X-MS-Has-Attach:
MIME-Version: 1.0
Content-Type: multipart/alternative;
\tboundary="_000_DB9PR01MB1234ABCD_"

--_000_DB9PR01MB1234ABCD_
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp(T)}
--_000_DB9PR01MB1234ABCD_
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{_X1}
--_000_DB9PR01MB1234ABCD_--
""", """
# Outlook: multipart/alternative, QP UTF-8 body, RFC 2047 ISO-8859-1 From and Subject.
status = "done"
action = "create"
subject = "Imprimante du 2e étage en panne"
text = ["2e étage", "« bourrage papier »", "Ça bloque", "Hélène Bérard"]
html = true
requestor = "helene.berard@mairie.example"
autoreply = true
""", crlf=True)

w("02_thunderbird_latin1_flowed.eml", ("""
Message-ID: <5f1e2d3c-aaaa-4bbb-8ccc-123456789abc@laposte.example>
Date: Mon, 23 Nov 2026 10:01:02 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: fr
To: support@example.org
From: Gérard Lemaître <gerard.lemaitre@laposte.example>
Subject: =?ISO-8859-1?Q?Acc=E8s_au_dossier_partag=E9?=
Content-Type: text/plain; charset=ISO-8859-1; format=flowed
Content-Transfer-Encoding: 8bit

Bonjour,

Je n'arrive plus à ouvrir le dossier partagé « Élèves 2026 ».
Le message d'erreur parle d'accès refusé.

Gérard
""").encode("iso-8859-1"), """
# Thunderbird: text/plain ISO-8859-1 8bit, format=flowed.
status = "done"
action = "create"
subject = "Accès au dossier partagé"
text = ["dossier partagé « Élèves 2026 »", "accès refusé"]
requestor = "gerard.lemaitre@laposte.example"
""")

w("03_gmail_alternative_base64.eml", f"""
MIME-Version: 1.0
Date: Tue, 24 Nov 2026 08:30:00 +0100
Message-ID: <CAH+abc123def456ghi789@mail.gmail.example>
Subject: =?UTF-8?B?RGVtYW5kZSBkZSBjb25nw6lzIGRlIGZpbiBkJ2FubsOpZQ==?=
From: =?UTF-8?Q?Th=C3=A9o_Mercier?= <theo.mercier@gmail.example>
To: support@example.org
Content-Type: multipart/alternative; boundary="0000000000001a2b3c05f0e1d2c3"

--0000000000001a2b3c05f0e1d2c3
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

{_X2}

--0000000000001a2b3c05f0e1d2c3
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: base64

{_X3}

--0000000000001a2b3c05f0e1d2c3--
""", """
# Gmail: multipart/alternative, both parts base64 UTF-8, RFC 2047 B subject.
status = "done"
action = "create"
subject = "Demande de congés de fin d'année"
text = ["règles pour les congés", "Noël tombe un vendredi"]
html = true
""")

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
w("04_apple_mail_pdf_rfc2231.eml", f"""
From: Camille Rousseau <camille.rousseau@icloud.example>
Content-Type: multipart/mixed;
\tboundary="Apple-Mail=_3F2A1B0C-1111-2222-3333-444455556666"
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.300.61.1.2\\))
Subject: Facture du prestataire
Date: Tue, 24 Nov 2026 11:15:20 +0100
Message-Id: <A1B2C3D4-E5F6-7890-ABCD-EF1234567890@icloud.example>
To: support@example.org

--Apple-Mail=_3F2A1B0C-1111-2222-3333-444455556666
Content-Transfer-Encoding: quoted-printable
Content-Type: text/plain;
\tcharset=utf-8

{_X4}
--Apple-Mail=_3F2A1B0C-1111-2222-3333-444455556666
Content-Disposition: attachment;
\tfilename*=utf-8''facture_%C3%A9t%C3%A9.pdf
Content-Type: application/pdf;
\tx-unix-mode=0644;
\tname*=utf-8''facture_%C3%A9t%C3%A9.pdf
Content-Transfer-Encoding: base64

{b64(PDF)}
--Apple-Mail=_3F2A1B0C-1111-2222-3333-444455556666--
""", """
# Apple Mail: a PDF whose name is RFC 2231 encoded (UTF-8, percent-escaped).
status = "done"
action = "create"
text = ["facture reçue cet été"]
files = ["facture_été.pdf"]
""")

JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + b"\x08" * 64 + bytes.fromhex("ffd9")
w("05_iphone_inline_image.eml", f"""
Content-Type: multipart/related; type="text/html";
\tboundary=Apple-Mail-9A8B7C6D-5E4F-3A2B-1C0D-FEDCBA987654
Content-Transfer-Encoding: 7bit
From: Lucas Petit <lucas.petit@free.example>
Mime-Version: 1.0 (1.0)
Date: Wed, 25 Nov 2026 07:45:10 +0100
Subject: =?utf-8?Q?=C3=89cran_noir?=
Message-Id: <9A8B7C6D-0000-1111-2222-333344445555@free.example>
To: support@example.org
X-Mailer: iPhone Mail (21A329)

--Apple-Mail-9A8B7C6D-5E4F-3A2B-1C0D-FEDCBA987654
Content-Type: text/html;
\tcharset=utf-8
Content-Transfer-Encoding: quoted-printable

{qp('<html><body dir="auto">Mon écran reste noir, photo ci-jointe.<br><img src="cid:IMG_0042@lucas" alt="IMG_0042.jpeg"><br><div>Envoyé de mon iPhone</div></body></html>')}
--Apple-Mail-9A8B7C6D-5E4F-3A2B-1C0D-FEDCBA987654
Content-Type: image/jpeg;
\tname=IMG_0042.jpeg;
\tx-apple-part-url=IMG_0042@lucas
Content-Disposition: inline;
\tfilename=IMG_0042.jpeg
Content-Transfer-Encoding: base64
Content-Id: <IMG_0042@lucas>

{b64(JPEG)}
--Apple-Mail-9A8B7C6D-5E4F-3A2B-1C0D-FEDCBA987654--
""", """
# iPhone: HTML only inside multipart/related, with an inline image (Content-ID).
status = "done"
action = "create"
subject = "Écran noir"
text = ["Mon écran reste noir", "Envoyé de mon iPhone"]
html = true
files = ["IMG_0042.jpeg"]
""")

w("06_android_short.eml", """
MIME-Version: 1.0
From: Inès Fabre <ines.fabre@orange.example>
Date: Wed, 25 Nov 2026 18:02:33 +0100
Message-ID: <CAJx-android-7777@mail.orange.example>
Subject: Badge
To: support@example.org
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: 8bit

Mon badge ne marche plus à l'entrée B. Je suis dehors !

Envoyé de mon smartphone Samsung Galaxy.
""", """
# A phone: one short text/plain UTF-8 8bit part.
status = "done"
action = "create"
subject = "Badge"
text = ["l'entrée B"]
""")

w("07_windows1252_euro.eml", ("""
From: "Comptabilite" <compta@entreprise.example>
To: support@example.org
Subject: Note de frais
Date: Thu, 26 Nov 2026 09:00:00 +0100
Message-ID: <20261126090000.1234@entreprise.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="windows-1252"
Content-Transfer-Encoding: quoted-printable

""" + quopri.encodestring("Montant : 42 € pour le repas — cœur de ville, « œuvre » d’art.\n".encode("cp1252")).decode()).encode(), """
# windows-1252 with the euro sign, œ, typographic quotes and dashes, quoted-printable.
status = "done"
action = "create"
text = ["42 €", "cœur de ville", "d’art", "—"]
""")

w("08_latin9_euro.eml", ("""
From: Yves Chevalier <yves.chevalier@wanadoo.example>
To: support@example.org
Subject: Budget
Date: Thu, 26 Nov 2026 10:00:00 +0100
Message-ID: <latin9-0001@wanadoo.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-15
Content-Transfer-Encoding: 8bit

Le devis est de 1500 € ; Œuvre sociale.
""").encode("iso-8859-15"), """
# ISO-8859-15 (latin-9): the euro sign is byte 0xA4 there.
status = "done"
action = "create"
text = ["1500 €", "Œuvre sociale"]
""")

w("09_mislabelled_latin1.eml", ("""
From: Paul Girard <paul.girard@club-internet.example>
To: support@example.org
Subject: Probleme de clavier
Date: Thu, 26 Nov 2026 11:00:00 +0100
Message-ID: <mislabel-0001@club-internet.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: 8bit

""").encode() + "Le clavier n’écrit plus les « é » ; coût estimé 30 €.\n".encode("cp1252"), """
# Labelled ISO-8859-1 but really windows-1252 (0x92 apostrophe, 0x80 euro), as many mailers do.
status = "done"
action = "create"
text = ["n’écrit plus", "30 €"]
""")

w("10_rfc2047_q_subject_folded.eml", """
From: =?ISO-8859-1?Q?Fran=E7oise_Andr=E9?= <francoise.andre@sfr.example>
To: support@example.org
Subject: =?ISO-8859-1?Q?Probl=E8me_de_connexion_au_r=E9seau?=
 =?ISO-8859-1?Q?_depuis_la_mise_=E0_jour?=
Date: Fri, 27 Nov 2026 08:00:00 +0100
Message-ID: <q-subject-0001@sfr.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Rien ne marche depuis hier.
""", """
# RFC 2047 Q-encoded ISO-8859-1 subject folded over two encoded words.
status = "done"
action = "create"
subject = "Problème de connexion au réseau depuis la mise à jour"
requestor = "francoise.andre@sfr.example"
""")

w("11_rfc2047_b_utf8_long.eml", """
From: =?UTF-8?B?QW5uZS1Tb3BoaWUgTMOpdsOqcXVl?= <as.leveque@outlook.example>
To: support@example.org
Subject: =?UTF-8?B?UsOpc2VydmF0aW9uIGRlIGxhIHNhbGxlIGRlIHLDqXVuaW9uIELCoA==?=
 =?UTF-8?B?cG91ciBsZSBzw6ltaW5haXJlIGR1IG1vaXMgcHJvY2hhaW4=?=
Date: Fri, 27 Nov 2026 08:10:00 +0100
Message-ID: <b-subject-0001@outlook.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Merci de réserver la salle B.
""", """
# RFC 2047 B-encoded UTF-8 subject split over two words, non-breaking space inside.
status = "done"
action = "create"
subject = "Réservation de la salle de réunion B pour le séminaire du mois prochain"
text = ["réserver la salle B"]
""")

w("12_rfc2231_continuation_filename.eml", f"""
From: Marc Dupont <marc.dupont@example.net>
To: support@example.org
Subject: CV pour le poste
Date: Fri, 27 Nov 2026 08:20:00 +0100
Message-ID: <rfc2231-0001@example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Ci-joint mon CV.
--b1
Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document
Content-Disposition: attachment;
 filename*0*=UTF-8''r%C3%A9sum%C3%A9%20;
 filename*1*=de%20Marc.docx
Content-Transfer-Encoding: base64

{_X5}
--b1--
""", """
# RFC 2231 filename with continuations (filename*0*, filename*1*).
status = "done"
action = "create"
files = ["résumé de Marc.docx"]
""")

w("13_outlook_rfc2047_filename.eml", f"""
From: Sylvie Marchand <sylvie.marchand@mairie.example>
To: support@example.org
Subject: Planning
Date: Fri, 27 Nov 2026 08:30:00 +0100
Message-ID: <AM0PR02MB5555@AM0PR02MB5555.eurprd02.prod.outlook.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="_004_AM0PR02MB5555_"

--_004_AM0PR02MB5555_
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

{_X6}
--_004_AM0PR02MB5555_
Content-Type: application/vnd.ms-excel; name="=?utf-8?B?cGxhbm5pbmdfZsOpdnJpZXIueGxzeA==?="
Content-Description: =?utf-8?B?cGxhbm5pbmdfZsOpdnJpZXIueGxzeA==?=
Content-Disposition: attachment; filename="=?utf-8?B?cGxhbm5pbmdfZsOpdnJpZXIueGxzeA==?="; size=12
Content-Transfer-Encoding: base64

{b64(b"fake xlsx!!!")}
--_004_AM0PR02MB5555_--
""", """
# Outlook puts RFC 2047 encoded words inside the quoted filename (not standard, but common).
status = "done"
action = "create"
text = ["planning de février"]
files = ["planning_février.xlsx"]
""")

w("14_html_only_with_script.eml", """
From: Newsletter Interne <info@intranet.example>
To: support@example.org
Subject: Lien suspect
Date: Fri, 27 Nov 2026 09:00:00 +0100
Message-ID: <html-only-0001@intranet.example>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit

<html><head><style>body{color:red}</style><script>alert('x')</script></head>
<body onload="steal()"><p>Cliquez <a href="javascript:alert(1)">ici</a> pour gagner</p>
<p>Deuxième paragraphe avec <b>gras</b>.</p><img src="http://tracker.example/p.gif" onerror="x()"></body></html>
""", """
# HTML only, with script, style, event handlers and a javascript: link (sanitised before display).
status = "done"
action = "create"
text = ["Cliquez ici pour gagner", "Deuxième paragraphe avec gras"]
html = true
text_absent = ["alert", "color:red"]
""")

w("15_broken_multipart_no_boundary.eml", """
From: Vieux Logiciel <legacy@old-system.example>
To: support@example.org
Subject: Rapport nocturne
Date: Fri, 27 Nov 2026 03:00:00 +0100
Message-ID: <broken-0001@old-system.example>
MIME-Version: 1.0
Content-Type: multipart/mixed

Le rapport de sauvegarde a échoué sur le serveur FICHIERS-02.
""", """
# Broken MIME: multipart/mixed without a boundary. The text is still kept.
status = "done"
action = "create"
text = ["sauvegarde a échoué"]
""")

w("16_broken_base64.eml", """
From: Jean Morel <jean.morel@example.net>
To: support@example.org
Subject: Fichier illisible
Date: Fri, 27 Nov 2026 09:10:00 +0100
Message-ID: <badb64-0001@example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

Qm9uam91ciwgbGUgZmljaGllciBlc3QgYWJpbcOpLg==
--XX
Content-Type: application/octet-stream; name="data.bin"
Content-Disposition: attachment; filename="data.bin"
Content-Transfer-Encoding: base64

This is not base64 at all !!! ###
--XX--
""", """
# An attachment whose base64 is garbage: the message is still filed.
status = "done"
action = "create"
text = ["le fichier est abimé"]
files = ["data.bin"]
""")

w("17_unknown_charset.eml", """
From: Kevin Laurent <kevin.laurent@example.net>
To: support@example.org
Subject: Charset inconnu
Date: Fri, 27 Nov 2026 09:20:00 +0100
Message-ID: <charset-0001@example.net>
MIME-Version: 1.0
Content-Type: text/plain; charset="x-mac-unknown-42"
Content-Transfer-Encoding: 8bit

Le poste réseau est coupé.
""", """
# An unknown charset: decoded as UTF-8 (then windows-1252) instead of failing.
status = "done"
action = "create"
text = ["Le poste réseau est coupé."]
""")

w("18_no_from.eml", """
To: support@example.org
Subject: Sans expediteur
Date: Fri, 27 Nov 2026 09:30:00 +0100
Message-ID: <nofrom-0001@example.net>

Qui suis-je ?
""", """
# No From, Reply-To or Sender: refused (nobody to answer), kept in the inbound list.
status = "refused"
bounce = false
""")

w("19_bounce_dsn.eml", """
Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
To: support@example.org
Subject: Undelivered Mail Returned to Sender
Date: Fri, 27 Nov 2026 09:40:00 +0100
Message-ID: <dsn-0001@mx.example.org>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="DSN.1"

--DSN.1
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.org.
I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<inconnu@nowhere.example>: host nowhere.example said: 550 5.1.1 User unknown

--DSN.1
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
Final-Recipient: rfc822; inconnu@nowhere.example
Action: failed
Status: 5.1.1

--DSN.1
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: support@example.org
To: inconnu@nowhere.example
Subject: [RT-suivi #0] test

--DSN.1--
""", """
# A bounce (MAILER-DAEMON, multipart/report, Return-Path <>): filed, never answered.
status = "done"
action = "create"
autoreply = false
text = ["could not", "User unknown"]
""")

w("20_outlook_autoreply.eml", """
From: Nathalie Roy <nathalie.roy@mairie.example>
To: support@example.org
Subject: =?utf-8?Q?R=C3=A9ponse_automatique=C2=A0:_absente?=
Date: Fri, 27 Nov 2026 09:50:00 +0100
Message-ID: <autoreply-0001@mairie.example>
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Je suis absente jusqu'au 2 décembre.
""", """
# An out-of-office autoreply: filed, but no autoreply goes back (no mail loop).
status = "done"
action = "create"
autoreply = false
text = ["absente jusqu'au 2 décembre"]
""")

w("21_reply_in_reply_to_without_tag.eml", """
From: Hélène Bérard <helene.berard@mairie.example>
To: support@example.org
Subject: RE: Imprimante du 2e étage en panne
Date: Fri, 27 Nov 2026 10:00:00 +0100
Message-ID: <reply-irt-0001@mairie.example>
In-Reply-To: @OUR_MSGID@
References: @OUR_MSGID@
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Toujours en panne cet après-midi.
""", """
# A reply whose subject lost the tag, but In-Reply-To names a mail we sent: threads.
status = "done"
action = "correspond"
ticket = "existing"
text = ["Toujours en panne"]
""")

w("22_reply_with_tag_quoted.eml", """
From: Hélène Bérard <helene.berard@mairie.example>
To: support@example.org
Subject: RE: [RT-suivi #@TICKET@] Imprimante du 2e étage en panne
Date: Fri, 27 Nov 2026 10:05:00 +0100
Message-ID: <reply-tag-0001@mairie.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

C'est réparé, merci !

> Bonjour, nous regardons.
""", """
# A reply with the subject tag: a Correspond on that ticket.
status = "done"
action = "correspond"
ticket = "existing"
text = ["C'est réparé"]
""")

w("23_unknown_ticket_tag.eml", """
From: Hélène Bérard <helene.berard@mairie.example>
To: support@example.org
Subject: RE: [RT-suivi #987654] Vieille demande
Date: Fri, 27 Nov 2026 10:10:00 +0100
Message-ID: <unknown-tag-0001@mairie.example>

Et ma vieille demande ?
""", """
# A tag naming a ticket that does not exist: refused with a bounce to the sender.
status = "refused"
bounce = true
error = "987654"
""")

w("24_our_own_loop.eml", """
From: "Alice Martin via RT-suivi" <support@example.org>
To: helene.berard@mairie.example
Subject: [RT-suivi #1] Imprimante
Date: Fri, 27 Nov 2026 10:15:00 +0100
Message-ID: <rt-suivi-1.123@example.org>
X-RT-Loop-Prevention: RT-suivi
Precedence: bulk

Notre propre courriel revenu à nous.
""", """
# Our own mail coming back (X-RT-Loop-Prevention): dropped, nothing created, nothing sent.
status = "dropped"
""")

w("25_new_with_cc.eml", """
From: Romain Blanc <romain.blanc@mairie.example>
To: support@example.org, Directeur <directeur@mairie.example>
Cc: "Secrétariat" <secretariat@mairie.example>, support@example.org
Subject: Panne de chauffage bureau 114
Date: Fri, 27 Nov 2026 10:20:00 +0100
Message-ID: <cc-0001@mairie.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Il fait 14 degrés.
""", """
# To and Cc of the first message become the ticket's Cc, minus our address and the sender.
status = "done"
action = "create"
cc = ["directeur@mairie.example", "secretariat@mairie.example"]
""")

w("26_comment_address_with_tag.eml", """
From: Alice Martin <alice@example.org>
To: support-comment@example.org
Subject: [RT-suivi #@TICKET@] note interne
Date: Fri, 27 Nov 2026 10:25:00 +0100
Message-ID: <comment-0001@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Le prestataire passe jeudi (note interne).
""", """
# Written to the queue's comment address by an agent: a Comment, never sent to requesters.
status = "done"
action = "comment"
ticket = "existing"
text = ["prestataire passe jeudi"]
""")

w("27_precedence_bulk_newsletter.eml", """
From: Lettre d'information <lettre@fournisseur.example>
To: support@example.org
Subject: Nos offres de novembre
Date: Fri, 27 Nov 2026 10:30:00 +0100
Message-ID: <bulk-0001@fournisseur.example>
Precedence: bulk
List-Unsubscribe: <mailto:unsubscribe@fournisseur.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Découvrez nos promotions.
""", """
# Precedence: bulk: filed without any autoreply.
status = "done"
action = "create"
autoreply = false
""")

HUGE = (b"%PDF-1.4 huge scanned document " * 400000)[:11 * 1024 * 1024]
w("28_huge_attachment.eml.gz", ("""
From: Scanner Etage 3 <scanner@mairie.example>
To: support@example.org
Subject: Numerisation du registre
Date: Fri, 27 Nov 2026 10:35:00 +0100
Message-ID: <huge-0001@mairie.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="huge"

--huge
Content-Type: text/plain; charset=utf-8

Registre numérisé ci-joint (11 Mo).
--huge
Content-Type: application/pdf; name="registre.pdf"
Content-Disposition: attachment; filename="registre.pdf"
Content-Transfer-Encoding: base64

""" ).encode() + base64.encodebytes(HUGE) + b"--huge--\n", """
# An 11 MiB attachment (stored gzipped here): filed; the file is listed with its size but
# its content is kept only in the raw message (over RTSUIVI_MAX_ATTACHMENT_SIZE, 10 MiB).
status = "done"
action = "create"
files = ["registre.pdf"]
too_large = ["registre.pdf"]
""")

w("29_forward_as_attachment.eml", """
From: Gérard Lemaître <gerard.lemaitre@laposte.example>
To: support@example.org
Subject: Fwd: Alerte virus
Date: Fri, 27 Nov 2026 10:40:00 +0100
Message-ID: <fwd-0001@laposte.example>
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Type: multipart/mixed; boundary="------------fwd"

--------------fwd
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit

Je vous transfère ce courriel reçu ce matin, est-ce une arnaque ?

--------------fwd
Content-Type: message/rfc822; name="Alerte virus.eml"
Content-Disposition: attachment; filename="Alerte virus.eml"

From: Securite <securite@arnaque.example>
To: gerard.lemaitre@laposte.example
Subject: Alerte virus
Message-ID: <scam-1@arnaque.example>
Content-Type: text/plain; charset=utf-8

Cliquez ici pour nettoyer votre ordinateur.

--------------fwd--
""", """
# Thunderbird "forward as attachment": the inner mail is kept as an .eml file.
status = "done"
action = "create"
text = ["est-ce une arnaque"]
files = ["Alerte virus.eml"]
""")

w("30_attachment_only_reply.eml", f"""
From: Hélène Bérard <helene.berard@mairie.example>
To: support@example.org
Subject: Re: [RT-suivi #@TICKET@] Imprimante du 2e étage en panne
Date: Fri, 27 Nov 2026 10:45:00 +0100
Message-ID: <attonly-0001@mairie.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: image/png; name="photo.png"
Content-Disposition: attachment; filename="photo.png"
Content-Transfer-Encoding: base64

{b64(bytes.fromhex("89504e470d0a1a0a") + b"fakepng")}
--b--
""", """
# A reply with a file and no text at all: still a Correspond, the file attached.
status = "done"
action = "correspond"
ticket = "existing"
files = ["photo.png"]
""")

w("31_unrouted_address.eml", """
From: Claire Simon <claire.simon@example.net>
To: contact@example.org
Subject: Question generale
Date: Fri, 27 Nov 2026 10:50:00 +0100
Message-ID: <unrouted-0001@example.net>

Bonjour, à qui dois-je écrire ?
""", """
# Written to no queue address: lands in the default queue (RTSUIVI_DEFAULT_QUEUE).
status = "done"
action = "create"
queue = "General"
""")

w("32_no_subject.eml", """
From: Claire Simon <claire.simon@example.net>
To: support@example.org
Date: Fri, 27 Nov 2026 10:55:00 +0100
Message-ID: <nosubject-0001@example.net>

Oublié le sujet.
""", """
# No Subject header: the ticket gets "(sans sujet)".
status = "done"
action = "create"
subject = "(sans sujet)"
""")

w("33_no_create_right.eml", """
From: Claire Simon <claire.simon@example.net>
To: interne@example.org
Subject: Je veux entrer
Date: Fri, 27 Nov 2026 11:00:00 +0100
Message-ID: <denied-0001@example.net>

Bonjour.
""", """
# The queue grants nobody CreateTicket by mail: refused, and the sender gets RT's bounce.
status = "refused"
bounce = true
error = "CreateTicket"
""")
print("ok")
