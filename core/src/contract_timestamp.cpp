// RFC 3339 timestamps from and to unix seconds with proleptic Gregorian
// arithmetic (H. Hinnant's days_from_civil / civil_from_days), because the C
// library's gmtime/timegm differ between glibc and Emscripten's musl and are
// limited by time_t on some targets.

#include <algorithm>
#include <array>

#include "sesame/contract.hpp"

namespace sesame {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

struct CivilDate {
  std::int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// Days since 1970-01-01 of a proleptic Gregorian date.
constexpr std::int64_t days_from_civil(std::int64_t year, int month, int day) noexcept {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = floor_div(year, 400);
  const std::int64_t year_of_era = year - era * 400;                          // [0, 399]
  const std::int64_t shifted_month = month > 2 ? month - 3 : month + 9;       // March = 0
  const std::int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1;   // [0, 365]
  const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

constexpr CivilDate civil_from_days(std::int64_t days) noexcept {
  days += 719468;
  const std::int64_t era = floor_div(days, 146097);
  const std::int64_t day_of_era = days - era * 146097;  // [0, 146096]
  const std::int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t shifted_month = (5 * day_of_year + 2) / 153;  // March = 0
  const int day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  const int month = static_cast<int>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  return {year, month, day};
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(0, 1, 1) * kSecondsPerDay == kMinRfc3339UnixSeconds);
static_assert(days_from_civil(9999, 12, 31) * kSecondsPerDay + kSecondsPerDay - 1 == kMaxRfc3339UnixSeconds);

constexpr bool is_leap_year(std::int64_t year) noexcept {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

constexpr int days_in_month(std::int64_t year, int month) noexcept {
  constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

void append_digits(std::string& out, std::int64_t value, int width) {
  std::array<char, 4> digits{};
  for (int i = width - 1; i >= 0; --i) {
    digits[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(digits.data(), static_cast<std::size_t>(width));
}

// Reads exactly `width` ASCII digits at `pos`; -1 when they are not all digits.
int read_digits(std::string_view text, std::size_t pos, std::size_t width) noexcept {
  if (pos + width > text.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool is_at(std::string_view text, std::size_t pos, char expected) noexcept {
  return pos < text.size() && text[pos] == expected;
}

}  // namespace

std::string format_rfc3339_utc(std::int64_t unix_seconds) {
  unix_seconds = std::clamp(unix_seconds, kMinRfc3339UnixSeconds, kMaxRfc3339UnixSeconds);
  const std::int64_t days = floor_div(unix_seconds, kSecondsPerDay);
  const std::int64_t second_of_day = unix_seconds - days * kSecondsPerDay;
  const CivilDate date = civil_from_days(days);
  std::string out;
  out.reserve(20);
  append_digits(out, date.year, 4);
  out.push_back('-');
  append_digits(out, date.month, 2);
  out.push_back('-');
  append_digits(out, date.day, 2);
  out.push_back('T');
  append_digits(out, second_of_day / 3600, 2);
  out.push_back(':');
  append_digits(out, second_of_day / 60 % 60, 2);
  out.push_back(':');
  append_digits(out, second_of_day % 60, 2);
  out.push_back('Z');
  return out;
}

Result<std::int64_t> parse_rfc3339(std::string_view text) {
  const auto invalid = [](const char* why) { return Error{ErrorCode::invalid_timestamp, why}; };
  // date-fullyear "-" date-month "-" date-mday ("T" / "t") partial-time
  if (text.size() < 20) return invalid("too short for an RFC 3339 date-time");
  const int year = read_digits(text, 0, 4);
  const int month = read_digits(text, 5, 2);
  const int day = read_digits(text, 8, 2);
  const int hour = read_digits(text, 11, 2);
  const int minute = read_digits(text, 14, 2);
  const int second = read_digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || !is_at(text, 4, '-') ||
      !is_at(text, 7, '-') || !(is_at(text, 10, 'T') || is_at(text, 10, 't')) || !is_at(text, 13, ':') ||
      !is_at(text, 16, ':')) {
    return invalid("not of the form YYYY-MM-DDTHH:MM:SS");
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return invalid("no such date");
  if (hour > 23 || minute > 59 || second > 60) return invalid("no such time of day");

  std::size_t pos = 19;
  if (is_at(text, pos, '.')) {  // time-secfrac: at least one digit, dropped
    const std::size_t first = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == first) return invalid("a decimal point needs digits");
  }
  std::int64_t offset_seconds = 0;
  if (is_at(text, pos, 'Z') || is_at(text, pos, 'z')) {
    ++pos;
  } else if (is_at(text, pos, '+') || is_at(text, pos, '-')) {
    const bool west = text[pos] == '-';
    const int offset_hour = read_digits(text, pos + 1, 2);
    const int offset_minute = read_digits(text, pos + 4, 2);
    if (offset_hour < 0 || offset_minute < 0 || !is_at(text, pos + 3, ':') || offset_hour > 23 ||
        offset_minute > 59) {
      return invalid("offset is not +HH:MM or -HH:MM");
    }
    offset_seconds = (offset_hour * 3600 + offset_minute * 60) * (west ? -1 : 1);
    pos += 6;
  } else {
    return invalid("missing time zone offset");
  }
  if (pos != text.size()) return invalid("trailing characters");

  const std::int64_t local = days_from_civil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 + second;
  return local - offset_seconds;
}

}  // namespace sesame
