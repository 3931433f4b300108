using System.Globalization;
using System.Net;
using System.Text;
using UNetSharp.IO;
using UNetSharp.Overlays;

namespace UNetSharp.Reporting;

/// <summary>
/// A self-contained HTML page: headings, paragraphs, tables, preformatted text and pictures embedded as data: URIs, one
/// inline style sheet, no script and no network request, so the file can be mailed, archived or opened offline.
/// Every text is HTML-escaped.
/// </summary>
public sealed class HtmlReport(string title)
{
    readonly StringBuilder body = new();

    const string Style = "body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}" +
        "table{border-collapse:collapse;margin:0.5em 0 1.5em}th,td{border:1px solid #bbb;padding:3px 8px;text-align:right}" +
        "th{background:#eee}td:first-child,th:first-child{text-align:left}pre{background:#f6f6f6;padding:0.6em;overflow:auto;font-size:85%}" +
        "figure{display:inline-block;margin:0 1em 1em 0;vertical-align:top}figcaption{font-size:90%;max-width:320px}" +
        ".warning{background:#fff3cd;border-left:4px solid #d39e00;padding:0.5em 0.8em}" +
        ".swatch{display:inline-block;width:1em;height:1em;margin:0 0.3em 0 1em;vertical-align:middle;border:1px solid #666}";

    static string E(string text) => WebUtility.HtmlEncode(text);

    public HtmlReport Heading(string text, int level = 2)
    {
        body.Append(CultureInfo.InvariantCulture, $"<h{level}>{E(text)}</h{level}>\n");
        return this;
    }

    public HtmlReport Paragraph(string text)
    {
        body.Append("<p>").Append(E(text)).Append("</p>\n");
        return this;
    }

    /// <summary>A paragraph marked as a warning (class "warning"), for what a reader must not miss.</summary>
    public HtmlReport Warning(string text)
    {
        body.Append("<p class=\"warning\"><strong>warning:</strong> ").Append(E(text)).Append("</p>\n");
        return this;
    }

    public HtmlReport Preformatted(string text)
    {
        body.Append("<pre>").Append(E(text)).Append("</pre>\n");
        return this;
    }

    public HtmlReport Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? caption = null)
    {
        body.Append("<table>");
        if (caption is not null) body.Append("<caption>").Append(E(caption)).Append("</caption>");
        body.Append("<tr>");
        foreach (var h in headers) body.Append("<th>").Append(E(h)).Append("</th>");
        body.Append("</tr>\n");
        foreach (var row in rows)
        {
            body.Append("<tr>");
            foreach (var cell in row) body.Append("<td>").Append(E(cell)).Append("</td>");
            body.Append("</tr>\n");
        }
        body.Append("</table>\n");
        return this;
    }

    /// <summary>A PNG picture, embedded; <paramref name="caption"/> under it.</summary>
    public HtmlReport Png(byte[] png, string alt, string? caption = null) => Picture("image/png", png, alt, caption);

    /// <summary>An SVG picture, embedded as a data: URI (not inline markup, so it cannot carry script into the page).</summary>
    public HtmlReport Svg(string svg, string alt, string? caption = null) => Picture("image/svg+xml", Encoding.UTF8.GetBytes(svg), alt, caption);

    HtmlReport Picture(string mime, byte[] bytes, string alt, string? caption)
    {
        body.Append("<figure><img alt=\"").Append(E(alt)).Append("\" src=\"data:").Append(mime).Append(";base64,").Append(Convert.ToBase64String(bytes)).Append("\">");
        if (caption is not null) body.Append("<figcaption>").Append(E(caption)).Append("</figcaption>");
        body.Append("</figure>\n");
        return this;
    }

    /// <summary>The overlay legend: swatches in the contour colours of <see cref="OverlayImage"/>.</summary>
    public HtmlReport OverlayLegend()
    {
        static string Css((byte R, byte G, byte B) c) => $"rgb({c.R},{c.G},{c.B})";
        body.Append("<p>Contours:")
            .Append($"<span class=\"swatch\" style=\"background:{Css(OverlayImage.Reference)}\"></span>reference")
            .Append($"<span class=\"swatch\" style=\"background:{Css(OverlayImage.Prediction)}\"></span>prediction")
            .Append($"<span class=\"swatch\" style=\"background:{Css(OverlayImage.Both)}\"></span>both</p>\n");
        return this;
    }

    public string ToHtml() =>
        $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{E(title)}</title>" +
        $"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">" +
        $"<style>{Style}</style></head>\n<body>\n<h1>{E(title)}</h1>\n{body}</body></html>\n";

    /// <summary>Writes the page atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToHtml());
}
