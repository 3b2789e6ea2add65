/* What the scripts of the pages Paraph's customers see (the client portal, the online quote and the public
   signing page) write the same way, inlined at the top of each page's own nonced script
   (paraph_platform.client_pages.script). */
var clientPages = {
  // bytes -> "12 ko", "1,5 Mo" / "12 kB", "1.5 MB"; words: the page's {kilobytes, megabytes, decimal_mark}
  sizeText: function (n, words) {
    return n < 1000000 ? Math.max(1, Math.round(n / 1000)) + "\u00a0" + words.kilobytes
                       : (n / 1000000).toFixed(1).replace(".", words.decimal_mark) + "\u00a0" + words.megabytes;
  },
  // a date as an Intl.DateTimeFormat writes it, the first of a month "1er" in French ("1er mars 2027"), as the
  // server's dates (paraph_platform.dates.first_of_month)
  dateText: function (format, date) {
    var french = /^fr\b/i.test(format.resolvedOptions().locale);
    return format.formatToParts(date).map(function (part) {
      return french && part.type === "day" && part.value === "1" ? "1er" : part.value;
    }).join("");
  },
  // the page's <time datetime="..." data-local-time> in the reader's own time zone, named, without seconds
  // ("4 janv. 2027, 00:52 UTC+1"), rather than the server's UTC; month: "short" or "long", as the page writes
  // its days ("7 décembre 2026 à 08:27 UTC+1")
  localTimes: function (locale, month) {
    var format;
    try {
      format = new Intl.DateTimeFormat(locale, {day: "numeric", month: month, year: "numeric", hour: "2-digit",
                                                minute: "2-digit", timeZoneName: "short"});
    } catch (e) { return; }
    [].forEach.call(document.querySelectorAll("time[data-local-time]"), function (time) {
      // at most milliseconds: not every browser reads the service's microseconds
      var moment = new Date(time.getAttribute("datetime").replace(/(\.\d{3})\d+/, "$1"));
      if (!isNaN(moment)) time.textContent = clientPages.dateText(format, moment);
    });
  }
};
