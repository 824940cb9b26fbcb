#include "core/cron.h"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <vector>

namespace batchd::core {
namespace {

using std::chrono::duration_cast;
using std::chrono::floor;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const std::array<const char*, 12>* names;  // value min + i, case-insensitive
};

constexpr std::array<const char*, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<const char*, 12> kDayNames = {"SUN", "MON", "TUE", "WED", "THU", "FRI",
                                                   "SAT", "",    "",    "",    "",    ""};

const FieldSpec kSecond{"second", 0, 59, nullptr};
const FieldSpec kMinute{"minute", 0, 59, nullptr};
const FieldSpec kHour{"hour", 0, 23, nullptr};
const FieldSpec kDayOfMonth{"day-of-month", 1, 31, nullptr};
const FieldSpec kMonth{"month", 1, 12, &kMonthNames};
// 7 is Sunday too, as in every cron.
const FieldSpec kDayOfWeek{"day-of-week", 0, 7, &kDayNames};

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(sep, start);
    out.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

class FieldParser {
 public:
  FieldParser(int position, const FieldSpec& spec) : position_(position), spec_(spec) {}

  [[noreturn]] void Fail(const std::string& what) const {
    throw CronSyntaxError("field " + std::to_string(position_) + " (" + spec_.name + "): " + what);
  }

  int Value(std::string_view text) const {
    if (text.empty()) Fail("a value is missing");
    if (std::isdigit(static_cast<unsigned char>(text[0]))) {
      int v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size()) {
        Fail("\"" + std::string(text) + "\" is not a number");
      }
      if (v < spec_.min || v > spec_.max) {
        Fail(std::string(text) + " is outside " + std::to_string(spec_.min) + "-" +
             std::to_string(spec_.max));
      }
      return v;
    }
    if (spec_.names != nullptr) {
      const std::string upper = Upper(text);
      for (size_t i = 0; i < spec_.names->size(); ++i) {
        if (upper == (*spec_.names)[i]) return spec_.min + static_cast<int>(i);
      }
    }
    Fail("\"" + std::string(text) + "\" is not a " + std::string(spec_.name) +
         (spec_.names == &kMonthNames ? " (1-12 or JAN-DEC)"
          : spec_.names == &kDayNames ? " (0-7 or SUN-SAT)"
                                      : ""));
  }

  // Sets the values `text` names in `bits` (indexed by value).
  template <size_t N>
  void Parse(std::string_view text, std::bitset<N>& bits) const {
    if (text.empty()) Fail("is empty");
    for (std::string_view item : Split(text, ',')) {
      if (item.empty()) Fail("an empty item in \"" + std::string(text) + "\"");
      auto slash = Split(item, '/');
      if (slash.size() > 2) Fail("\"" + std::string(item) + "\" has more than one '/'");
      int step = 1;
      if (slash.size() == 2) {
        int s = 0;
        auto [end, ec] = std::from_chars(slash[1].data(), slash[1].data() + slash[1].size(), s);
        if (ec != std::errc() || end != slash[1].data() + slash[1].size() || s < 1) {
          Fail("the step in \"" + std::string(item) + "\" must be a whole number of 1 or more");
        }
        step = s;
      }
      int low = spec_.min;
      int high = spec_.max;
      if (slash[0] != "*") {
        auto dash = Split(slash[0], '-');
        if (dash.size() > 2) Fail("\"" + std::string(item) + "\" has more than one '-'");
        low = Value(dash[0]);
        // "a/n" runs from a to the end, as in Vixie cron.
        high = dash.size() == 2 ? Value(dash[1]) : (slash.size() == 2 ? spec_.max : low);
        if (low > high) {
          Fail("the range \"" + std::string(slash[0]) + "\" runs backwards");
        }
      }
      for (int v = low; v <= high; v += step) bits.set(static_cast<size_t>(v));
    }
  }

 private:
  int position_;
  const FieldSpec& spec_;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "90s", "5m", "1h30m", "2d": at least one second.
int64_t ParseInterval(std::string_view text) {
  auto fail = [&](const std::string& why) -> void {
    throw CronSyntaxError("@every: " + why + " (got \"" + std::string(text) +
                          "\"; e.g. @every 90s, @every 1h30m)");
  };
  if (text.empty()) fail("needs a duration");
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t digits = i;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
      ++digits;
    }
    if (digits == i) fail("expected a number");
    int64_t n = 0;
    std::from_chars(text.data() + i, text.data() + digits, n);
    if (digits == text.size()) fail("a number needs a unit (s, m, h or d)");
    int64_t unit = 0;
    switch (text[digits]) {
      case 's':
        unit = 1000;
        break;
      case 'm':
        unit = 60'000;
        break;
      case 'h':
        unit = 3'600'000;
        break;
      case 'd':
        unit = 86'400'000;
        break;
      default:
        fail(std::string("unknown unit '") + text[digits] + "'");
    }
    if (n > 100'000'000) fail("too long");
    total += n * unit;
    i = digits + 1;
  }
  if (total < 1000) fail("must be at least 1s");
  return total;
}

std::string_view MacroFields(std::string_view macro) {
  if (macro == "@yearly" || macro == "@annually") return "0 0 1 1 *";
  if (macro == "@monthly") return "0 0 1 * *";
  if (macro == "@weekly") return "0 0 * * 0";
  if (macro == "@daily" || macro == "@midnight") return "0 0 * * *";
  if (macro == "@hourly") return "0 * * * *";
  throw CronSyntaxError("unknown macro \"" + std::string(macro) +
                        "\"; use @yearly, @monthly, @weekly, @daily, @hourly or @every DURATION");
}

}  // namespace

const date::time_zone* FindTimeZone(std::string_view name) {
  try {
    return date::locate_zone(name.empty() ? std::string_view("UTC") : name);
  } catch (const std::exception&) {
    throw std::invalid_argument("unknown time zone \"" + std::string(name) +
                                "\" (use an IANA name such as Europe/Paris or UTC)");
  }
}

CronSchedule CronSchedule::Parse(std::string_view expression) {
  std::string_view text = Trim(expression);
  CronSchedule c;
  if (text.starts_with("@every")) {
    c.interval_ms_ = ParseInterval(Trim(text.substr(6)));
    return c;
  }
  if (text.starts_with("@")) text = MacroFields(text);
  std::vector<std::string_view> fields;
  for (std::string_view rest = text; !rest.empty();) {
    const size_t end = std::min(rest.size(), rest.find_first_of(" \t"));
    fields.push_back(rest.substr(0, end));
    rest = Trim(rest.substr(end));
  }
  if (fields.size() != 5 && fields.size() != 6) {
    throw CronSyntaxError(
        "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), "
        "got " +
        std::to_string(fields.size()));
  }
  const int offset = fields.size() == 6 ? 1 : 0;
  if (offset == 1) {
    FieldParser(1, kSecond).Parse(fields[0], c.seconds_);
  } else {
    c.seconds_.set(0);
  }
  FieldParser(offset + 1, kMinute).Parse(fields[offset], c.minutes_);
  FieldParser(offset + 2, kHour).Parse(fields[offset + 1], c.hours_);
  FieldParser(offset + 3, kDayOfMonth).Parse(fields[offset + 2], c.days_);
  FieldParser(offset + 4, kMonth).Parse(fields[offset + 3], c.months_);
  std::bitset<8> weekdays;
  FieldParser(offset + 5, kDayOfWeek).Parse(fields[offset + 4], weekdays);
  for (int d = 0; d < 7; ++d) c.weekdays_[d] = weekdays[d];
  if (weekdays[7]) c.weekdays_.set(0);
  c.days_star_ = fields[offset + 2].starts_with("*");
  c.weekdays_star_ = fields[offset + 4].starts_with("*");
  return c;
}

bool CronSchedule::DayMatches(int day_of_month, int weekday) const {
  const bool dom = days_[day_of_month];
  const bool dow = weekdays_[weekday];
  return days_star_ || weekdays_star_ ? dom && dow : dom || dow;
}

std::optional<int64_t> CronSchedule::NextAfter(int64_t after_ms, const date::time_zone* zone,
                                               int64_t anchor_ms) const {
  if (is_interval()) {
    if (after_ms < anchor_ms) return anchor_ms;
    return anchor_ms + ((after_ms - anchor_ms) / interval_ms_ + 1) * interval_ms_;
  }
  if (zone == nullptr) zone = FindTimeZone("UTC");
  const date::sys_seconds after{floor<seconds>(milliseconds(after_ms))};
  date::local_seconds t = zone->to_local(after + seconds(1));
  const auto give_up = t + date::years(30);
  while (t < give_up) {
    const date::local_days day = floor<date::days>(t);
    const date::year_month_day ymd{day};
    const date::hh_mm_ss<seconds> tod{t - day};
    const auto month = static_cast<unsigned>(ymd.month());
    if (!months_[month]) {
      t = date::local_days{(ymd.year() / ymd.month() / 1) + date::months(1)};
      continue;
    }
    const auto weekday = date::weekday{day}.c_encoding();
    if (!DayMatches(static_cast<int>(static_cast<unsigned>(ymd.day())),
                    static_cast<int>(weekday))) {
      t = day + date::days(1);
      continue;
    }
    if (!hours_[tod.hours().count()]) {
      t = floor<std::chrono::hours>(t) + std::chrono::hours(1);
      continue;
    }
    if (!minutes_[tod.minutes().count()]) {
      t = floor<std::chrono::minutes>(t) + std::chrono::minutes(1);
      continue;
    }
    if (!seconds_[tod.seconds().count()]) {
      t += seconds(1);
      continue;
    }
    const date::local_info info = zone->get_info(t);
    // Unique, or twice by a fall-back (it fires once, the first time).
    date::sys_seconds fire{t.time_since_epoch() - info.first.offset};
    // Skipped by a spring-forward: the first instant after the gap.
    if (info.result == date::local_info::nonexistent) fire = info.second.begin;
    if (fire > after) return duration_cast<milliseconds>(fire.time_since_epoch()).count();
    t += seconds(1);  // its one run was before `after` (the repeated hour's first pass)
  }
  return std::nullopt;
}

}  // namespace batchd::core
