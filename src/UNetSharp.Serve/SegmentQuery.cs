using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace UNetSharp.Serve;

/// <summary>The query string of `POST /v1/segment`: depth=1..L, tta=true|false, format=same|png|tiff|nifti.</summary>
public static class SegmentQuery
{
    public static SegmentRequest Parse(IQueryCollection query)
    {
        foreach (var key in query.Keys)
            if (key is not ("depth" or "tta" or "format"))
                throw new ConfigurationException($"unknown query parameter '{key}' (known: depth, tta, format)");
        int? depth = null;
        if (query.TryGetValue("depth", out var d))
        {
            string text = d.ToString().TrimStart('L', 'l');
            depth = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
                ? value : throw new ConfigurationException($"depth must be a whole number such as 1 or L1, got '{d}'");
        }
        bool tta = false;
        if (query.TryGetValue("tta", out var t))
            tta = t.ToString().ToLowerInvariant() switch
            {
                "" or "1" or "true" or "yes" or "on" => true,
                "0" or "false" or "no" or "off" => false,
                _ => throw new ConfigurationException($"tta must be true or false, got '{t}'"),
            };
        var format = LabelFormat.Same;
        if (query.TryGetValue("format", out var f))
            format = f.ToString().ToLowerInvariant() switch
            {
                "" or "same" => LabelFormat.Same,
                "png" => LabelFormat.Png,
                "tif" or "tiff" => LabelFormat.Tiff,
                "nii" or "nifti" => LabelFormat.Nifti,
                _ => throw new ConfigurationException($"format must be same, png, tiff or nifti, got '{f}'"),
            };
        return new SegmentRequest { Depth = depth, Tta = tta, Format = format };
    }
}
