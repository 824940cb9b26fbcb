// Parsing JSONPath text into steps and filter expressions, following Jayway JsonPath's
// grammar (the library AWS evaluates paths with) plus the States Language's "$$" and "$name"
// roots.
#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/asl/path_syntax.h"

namespace batchd::asl::jsonpath {
namespace {

// Filters and parentheses nest; a hostile definition must not exhaust the stack.
constexpr int kMaxNesting = 256;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Inside a filter a dot name also ends where an operator or the filter's end begins, so that
// "@.a==1" reads the name "a".
bool EndsFilterName(char c) {
  return c == ')' || c == ']' || c == '=' || c == '!' || c == '<' || c == '>' || c == '&' ||
         c == '|' || c == ',';
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::optional<std::string> ParseWhole(Path& out) {
    if (!Consume('$')) return "it must start with '$'";
    if (Consume('$')) {
      out.root = Path::Root::kContext;
    } else if (!AtEnd() && IsVariableStart(Peek())) {
      out.root = Path::Root::kVariable;
      const size_t start = pos_;
      while (!AtEnd() && IsVariableChar(Peek())) ++pos_;
      out.variable = std::string(text_.substr(start, pos_ - start));
    }
    if (!ParseSteps(out.steps, false)) return error_;
    return std::nullopt;
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  bool Consume(char c) {
    if (AtEnd() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool LookingAt(std::string_view token) const { return text_.substr(pos_).starts_with(token); }
  void SkipSpaces() {
    while (!AtEnd() && text_[pos_] == ' ') ++pos_;
  }
  std::string Offset() const { return " at offset " + std::to_string(pos_); }

  bool Fail(std::string problem) {
    if (!error_) error_ = std::move(problem);
    return false;
  }
  bool Unexpected() {
    if (AtEnd()) return Fail("unexpected end of path");
    return Fail("unexpected '" + std::string(1, Peek()) + "'" + Offset());
  }

  // Steps up to the end of the text or, in a filter, up to what cannot continue a path.
  bool ParseSteps(std::vector<Step>& steps, bool in_filter) {
    while (!AtEnd()) {
      const char c = Peek();
      Step step;
      if (c == '.') {
        step.deep = Peek(1) == '.';
        pos_ += step.deep ? 2 : 1;
        if (step.deep && Peek() == '[') {
          if (!ParseBracket(step)) return false;
        } else if (Consume('*')) {
          step.kind = Step::Kind::kWildcard;
        } else {
          std::string name;
          if (!ReadName(name, in_filter, step.deep ? "'..'" : "'.'")) return false;
          step.kind = Step::Kind::kName;
          step.names.push_back(std::move(name));
        }
      } else if (c == '[') {
        if (!ParseBracket(step)) return false;
      } else if (in_filter) {
        return true;
      } else {
        return Unexpected();
      }
      steps.push_back(std::move(step));
    }
    return true;
  }

  bool ReadName(std::string& name, bool in_filter, const char* after) {
    const size_t start = pos_;
    while (!AtEnd()) {
      const char c = Peek();
      if (c == '.' || c == '[') break;
      if (c == ' ') {
        if (in_filter) break;
        return Fail("a name with blanks must be written ['like this']" + Offset());
      }
      if (c == '(') {
        return Fail("functions such as '" + std::string(text_.substr(start, pos_ - start)) +
                    "()' are not supported");
      }
      if (in_filter && EndsFilterName(c)) break;
      ++pos_;
    }
    if (pos_ == start) return Fail(std::string("expected a name after ") + after + Offset());
    name = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  bool ParseBracket(Step& step) {
    ++pos_;  // '['
    SkipSpaces();
    if (AtEnd()) return Fail("unclosed '['");
    const char c = Peek();
    if (c == '*') {
      ++pos_;
      step.kind = Step::Kind::kWildcard;
    } else if (c == '?') {
      if (!ParseFilterStep(step)) return false;
    } else if (c == '\'' || c == '"') {
      if (!ParseNames(step)) return false;
    } else if (c == '-' || c == ':' || IsDigit(c)) {
      if (!ParseNumbers(step)) return false;
    } else if (c == ']') {
      return Fail("empty '[]'" + Offset());
    } else {
      return Unexpected();
    }
    SkipSpaces();
    if (AtEnd()) return Fail("unclosed '['");
    if (!Consume(']')) return Unexpected();
    return true;
  }

  bool ParseNames(Step& step) {
    while (true) {
      std::string name;
      if (!ParseQuoted(name)) return false;
      step.names.push_back(std::move(name));
      SkipSpaces();
      if (!Consume(',')) break;
      SkipSpaces();
      if (Peek() != '\'' && Peek() != '"') return Unexpected();
    }
    step.kind = step.names.size() == 1 ? Step::Kind::kName : Step::Kind::kNames;
    return true;
  }

  // [0], [-1], [0,2], [1:3], [:2], [::-1]
  bool ParseNumbers(Step& step) {
    std::optional<int64_t> first;
    if (Peek() != ':') {
      first.emplace();
      if (!ParseInteger(*first)) return false;
      SkipSpaces();
    }
    if (Consume(':')) {
      step.kind = Step::Kind::kSlice;
      step.start = first;
      SkipSpaces();
      if (Peek() == '-' || IsDigit(Peek())) {
        step.end.emplace();
        if (!ParseInteger(*step.end)) return false;
        SkipSpaces();
      }
      if (Consume(':')) {
        SkipSpaces();
        if (Peek() == '-' || IsDigit(Peek())) {
          const size_t at = pos_;
          if (!ParseInteger(step.stride)) return false;
          if (step.stride == 0)
            return Fail("a slice step cannot be 0 (offset " + std::to_string(at) + ")");
        }
      }
      return true;
    }
    step.indexes.push_back(*first);
    while (Consume(',')) {
      SkipSpaces();
      int64_t index = 0;
      if (!ParseInteger(index)) return false;
      step.indexes.push_back(index);
      SkipSpaces();
    }
    step.kind = step.indexes.size() == 1 ? Step::Kind::kIndex : Step::Kind::kIndexes;
    return true;
  }

  bool ParseInteger(int64_t& out) {
    const size_t start = pos_;
    if (Peek() == '-') ++pos_;
    if (!IsDigit(Peek())) return Fail("expected a number" + Offset());
    while (IsDigit(Peek())) ++pos_;
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    auto [end, error] = std::from_chars(first, last, out);
    if (error != std::errc() || end != last) {
      return Fail("index '" + std::string(first, last) + "' is out of range");
    }
    return true;
  }

  // A quoted name or string: \' \" \\ stand for the character; other backslashes stay.
  bool ParseQuoted(std::string& out) {
    const char quote = Peek();
    const size_t start = pos_;
    ++pos_;
    while (!AtEnd()) {
      const char c = Peek();
      if (c == '\\' && (Peek(1) == '\'' || Peek(1) == '"' || Peek(1) == '\\')) {
        out.push_back(Peek(1));
        pos_ += 2;
        continue;
      }
      ++pos_;
      if (c == quote) return true;
      out.push_back(c);
    }
    return Fail("unclosed string starting at offset " + std::to_string(start));
  }

  bool ParseFilterStep(Step& step) {
    ++pos_;  // '?'
    SkipSpaces();
    if (!Consume('(')) return Fail("expected '(' after '?'" + Offset());
    auto filter = std::make_shared<Filter>();
    if (!ParseOr(*filter)) return false;
    SkipSpaces();
    if (AtEnd()) return Fail("unclosed '('");
    if (!Consume(')')) return Unexpected();
    step.kind = Step::Kind::kFilter;
    step.filter = std::move(filter);
    return true;
  }

  bool Enter() {
    if (++depth_ > kMaxNesting) return Fail("filters nest too deeply");
    return true;
  }

  bool ParseOr(Filter& out) { return ParseChain(out, "||", Filter::Kind::kOr, true); }

  // a || b || c, or a && b && c: `ors` picks which, with && binding tighter.
  bool ParseChain(Filter& out, std::string_view token, Filter::Kind kind, bool ors) {
    if (!Enter()) return false;
    Filter first;
    if (!(ors ? ParseChain(first, "&&", Filter::Kind::kAnd, false) : ParseUnary(first))) {
      return false;
    }
    SkipSpaces();
    if (!LookingAt(token)) {
      out = std::move(first);
      --depth_;
      return true;
    }
    out.kind = kind;
    out.children.push_back(std::move(first));
    while (LookingAt(token)) {
      pos_ += token.size();
      Filter next;
      if (!(ors ? ParseChain(next, "&&", Filter::Kind::kAnd, false) : ParseUnary(next))) {
        return false;
      }
      out.children.push_back(std::move(next));
      SkipSpaces();
    }
    --depth_;
    return true;
  }

  bool ParseUnary(Filter& out) {
    if (!Enter()) return false;
    SkipSpaces();
    if (Peek() == '!' && Peek(1) != '=') {
      ++pos_;
      Filter inner;
      if (!ParseUnary(inner)) return false;
      out.kind = Filter::Kind::kNot;
      out.children.push_back(std::move(inner));
    } else if (Consume('(')) {
      if (!ParseOr(out)) return false;
      SkipSpaces();
      if (AtEnd()) return Fail("unclosed '('");
      if (!Consume(')')) return Unexpected();
    } else if (!ParseRelation(out)) {
      return false;
    }
    --depth_;
    return true;
  }

  bool ParseRelation(Filter& out) {
    const size_t at = pos_;
    if (!ParseOperand(out.left)) return false;
    SkipSpaces();
    std::optional<Filter::Op> op;
    if (!ReadOperator(op)) return false;
    if (!op) {
      if (!out.left.is_path) {
        return Fail("a value alone is not a condition (offset " + std::to_string(at) + ")");
      }
      out.kind = Filter::Kind::kExists;
      return true;
    }
    SkipSpaces();
    if (!ParseOperand(out.right)) return false;
    out.kind = Filter::Kind::kCompare;
    out.op = *op;
    return true;
  }

  bool ReadOperator(std::optional<Filter::Op>& op) {
    static constexpr std::pair<std::string_view, Filter::Op> kOps[] = {
        {"==", Filter::Op::kEq}, {"!=", Filter::Op::kNe}, {"<=", Filter::Op::kLe},
        {">=", Filter::Op::kGe}, {"<", Filter::Op::kLt},  {">", Filter::Op::kGt},
    };
    if (LookingAt("=~")) return Fail("the regular expression operator '=~' is not supported");
    for (const auto& [token, value] : kOps) {
      if (LookingAt(token)) {
        pos_ += token.size();
        op = value;
        return true;
      }
    }
    if (Peek() == '=') return Fail("use '==' to compare" + Offset());
    return true;
  }

  bool ParseOperand(Operand& out) {
    SkipSpaces();
    const char c = Peek();
    if (c == '@' || c == '$') {
      ++pos_;
      if (c == '$' && (Peek() == '$' || IsVariableStart(Peek()))) {
        return Fail("only '@' and '$' paths may appear in a filter" + Offset());
      }
      out.is_path = true;
      out.path.root = c == '@' ? Path::Root::kCurrent : Path::Root::kInput;
      return ParseSteps(out.path.steps, true);
    }
    if (c == '\'' || c == '"') {
      std::string text;
      if (!ParseQuoted(text)) return false;
      out.literal = std::move(text);
      return true;
    }
    if (c == '-' || IsDigit(c)) return ParseNumber(out.literal);
    for (std::string_view word : {"true", "false", "null"}) {
      if (LookingAt(word) && !IsVariableChar(Peek(word.size()))) {
        pos_ += word.size();
        out.literal = word == "null" ? Json(nullptr) : Json(word == "true");
        return true;
      }
    }
    if (AtEnd()) return Fail("unclosed '('");
    return Fail("expected a value" + Offset());
  }

  bool ParseNumber(Json& out) {
    const size_t start = pos_;
    while (!AtEnd() && (IsDigit(Peek()) || Peek() == '-' || Peek() == '+' || Peek() == '.' ||
                        Peek() == 'e' || Peek() == 'E')) {
      ++pos_;
    }
    const std::string_view text = text_.substr(start, pos_ - start);
    out = Json::parse(text, nullptr, false);
    if (out.is_discarded() || !out.is_number()) {
      return Fail("'" + std::string(text) + "' is not a number (offset " + std::to_string(start) +
                  ")");
    }
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::optional<std::string> error_;
};

void AppendStep(const Step& step, std::string& out) {
  if (step.deep) out += "..";
  switch (step.kind) {
    case Step::Kind::kName:
    case Step::Kind::kNames:
      out += '[';
      for (size_t i = 0; i < step.names.size(); ++i) {
        if (i > 0) out += ',';
        out += "'" + step.names[i] + "'";
      }
      out += ']';
      return;
    case Step::Kind::kIndex:
    case Step::Kind::kIndexes:
      out += '[';
      for (size_t i = 0; i < step.indexes.size(); ++i) {
        if (i > 0) out += ',';
        out += std::to_string(step.indexes[i]);
      }
      out += ']';
      return;
    case Step::Kind::kWildcard:
      out += "[*]";
      return;
    case Step::Kind::kSlice:
      out += '[' + (step.start ? std::to_string(*step.start) : "") + ':' +
             (step.end ? std::to_string(*step.end) : "") + ']';
      return;
    case Step::Kind::kFilter:
      out += "[?]";
      return;
  }
}

}  // namespace

std::optional<std::string> Parse(std::string_view text, Path& out) {
  return Parser(text).ParseWhole(out);
}

std::string Normalized(const std::vector<Step>& steps, size_t count) {
  std::string out = "$";
  for (size_t i = 0; i < count && i < steps.size(); ++i) AppendStep(steps[i], out);
  return out;
}

}  // namespace batchd::asl::jsonpath
