/*
 * html.c - one lesson as a web page for a course site: the cast in
 * asciinema-player, the SVG timeline under it, the caption and the
 * measured table beside it.
 *
 * The page stands alone: the player's script and style (asciinema-player
 * from npm, pinned by web/package-lock.json and embedded into the binary at
 * build time, player-blob.S.in), the cast and the SVG are all inline, so it
 * works from a file with no network, as a student downloads it. The player
 * pauses at each marker of a v3 cast (a caption of the demo, a predict
 * question); the page says which, and where it stands, in data-* attributes
 * of <body> that a test (or a screen reader's live region) can read.
 */
#include "export/export-internal.h"

#include <string.h>
#include <strings.h>

#include "schedlab/error.h"

#ifdef SL_HAVE_PLAYER
extern const char sl__player_js[], sl__player_js_end[];
extern const char sl__player_css[], sl__player_css_end[];
#endif

bool sl_export_html_player(void)
{
#ifdef SL_HAVE_PLAYER
    return true;
#else
    return false;
#endif
}

#ifdef SL_HAVE_PLAYER
/* Text for inside <script> or <style>: "</script" or "</style" would end
 * the element early, so it is written "<\/...", which JSON and JavaScript
 * strings read as "</..."; nothing else is touched. */
static void raw_text(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fputc(s[i], out);
        if (s[i] == '<' && i + 1 < n && s[i + 1] == '/' &&
            ((n - i >= 8 && strncasecmp(s + i + 2, "script", 6) == 0) ||
             (n - i >= 7 && strncasecmp(s + i + 2, "style", 5) == 0)))
            fputc('\\', out);
    }
}

/* Escaped text keeping its line breaks (sl_xml_text replaces them). */
static void text_lines(FILE *out, const char *s)
{
    char line[1024];
    while (*s) {
        size_t n = strcspn(s, "\n");
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), s);
        sl_xml_text(out, line);
        s += n;
        if (*s == '\n') {
            fputc('\n', out);
            s++;
        }
    }
}

static const char page_css[] =
    "body{margin:0;font-family:DejaVu Sans,Helvetica,Arial,sans-serif;background:#fafafa;"
    "color:#111}\n"
    "header{padding:12px 20px;background:#1d3557;color:#fff}\n"
    "header h1{margin:0;font-size:22px}\n"
    "main{display:grid;grid-template-columns:minmax(0,3fr) minmax(260px,1fr);gap:20px;"
    "padding:16px 20px}\n"
    "#status{margin:6px 0;min-height:1.4em;font-weight:bold}\n"
    "aside p{line-height:1.45;margin-top:0}\n"
    "aside pre{font-size:11px;overflow-x:auto;background:#fff;border:1px solid #ccc;"
    "padding:6px}\n"
    "#timeline{grid-column:1/3}\n"
    "#timeline svg{max-width:100%;height:auto;background:#fff;border:1px solid #ccc}\n"
    "@media(max-width:900px){main{grid-template-columns:1fr}#timeline{grid-column:1}}\n";

/* Keeps the page's state in <body data-*> and the status line: playing,
 * paused at marker N (its label), ended. */
static const char page_js[] =
    "(function(){\n"
    "  var cast = document.getElementById('cast').textContent;\n"
    "  var body = document.body, status = document.getElementById('status');\n"
    "  var markers = 0;\n"
    "  function say(state, text){ body.dataset.state = state; status.textContent = text; }\n"
    "  var player = AsciinemaPlayer.create({data: cast}, document.getElementById('player'),\n"
    "    {autoPlay: true, pauseOnMarkers: true, fit: 'width', terminalFontSize: 'small'});\n"
    "  player.addEventListener('play', function(){ say('playing', 'Playing.'); });\n"
    "  player.addEventListener('marker', function(m){\n"
    "    markers++;\n"
    "    body.dataset.markers = markers;\n"
    "    body.dataset.marker = m.label;\n"
    /* The player sums v3's intervals in floating point (1.0000000000000002
     * for a marker the cast puts at 1 s); a cast's times are in µs. */
    "    body.dataset.markerTime = Math.round(m.time * 1e6) / 1e6;\n"
    "    var t = document.querySelector('#timeline svg').getBoundingClientRect();\n"
    "    body.dataset.timelineShown = t.height > 40 && t.top < window.innerHeight ? 'yes' : 'no';\n"
    "    say('paused', 'Paused at: ' + m.label + ' (Space or click to go on)');\n"
    "  });\n"
    "  player.addEventListener('ended', function(){ say('ended', 'The end.'); });\n"
    "  body.dataset.state = 'loading';\n"
    "})();\n";

#endif

int sl_export_html(const sl_html_page *p, FILE *out)
{
#ifndef SL_HAVE_PLAYER
    (void)p;
    (void)out;
    return SL_ENOTSUP;
#else
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          out);
    sl_xml_text(out, p->title);
    fputs("</title>\n<style>\n", out);
    raw_text(out, sl__player_css, (size_t)(sl__player_css_end - sl__player_css));
    fputs("\n", out);
    fputs(page_css, out);
    fputs("</style>\n</head>\n<body>\n<header><h1>", out);
    sl_xml_text(out, p->title);
    fputs("</h1></header>\n<main>\n<section>\n<div id=\"player\"></div>\n"
          "<p id=\"status\" role=\"status\" aria-live=\"polite\"></p>\n</section>\n<aside>\n",
          out);
    if (p->caption && p->caption[0]) {
        fputs("<p id=\"caption\">", out);
        sl_xml_text(out, p->caption);
        fputs("</p>\n", out);
    }
    if (p->takeaway && p->takeaway[0]) {
        fputs("<p id=\"takeaway\"><strong>", out);
        sl_xml_text(out, p->takeaway);
        fputs("</strong></p>\n", out);
    }
    if (p->table && p->table[0]) {
        fputs("<pre id=\"measured\">", out);
        text_lines(out, p->table);
        fputs("</pre>\n", out);
    }
    fputs("</aside>\n<div id=\"timeline\">\n", out);
    /* Inline SVG: its XML declaration has no place inside HTML. */
    const char *svg = p->svg;
    size_t svg_len = p->svg_len;
    const char *open = svg ? memchr(svg, '<', svg_len) : NULL;
    if (open && svg_len - (size_t)(open - svg) > 5 && strncmp(open, "<?xml", 5) == 0) {
        const char *end = strstr(open, "?>");
        if (end) {
            svg_len -= (size_t)(end + 2 - svg);
            svg = end + 2;
        }
    }
    if (svg)
        fwrite(svg, 1, svg_len, out);
    fputs("</div>\n</main>\n<script type=\"application/x-asciicast\" id=\"cast\">", out);
    raw_text(out, p->cast, p->cast_len);
    fputs("</script>\n<script>\n", out);
    raw_text(out, sl__player_js, (size_t)(sl__player_js_end - sl__player_js));
    fputs("\n</script>\n<script>\n", out);
    fputs(page_js, out);
    fputs("</script>\n</body>\n</html>\n", out);
    return ferror(out) ? SL_EIO : 0;
#endif
}
