#include "waveform/dicom/native_parser.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "waveform/dicom/text.h"
#include "waveform/error.h"

namespace ecg::dicom {

namespace {

constexpr uint32_t kUndefinedLength = 0xFFFFFFFF;
constexpr uint32_t kItemTag = 0xFFFEE000;
constexpr uint32_t kItemEndTag = 0xFFFEE00D;
constexpr uint32_t kSequenceEndTag = 0xFFFEE0DD;
constexpr std::string_view kExplicitLittleEndian = "1.2.840.10008.1.2.1";

uint16_t Vr(uint8_t a, uint8_t b) {
  return static_cast<uint16_t>((a << 8) | b);
}

bool HasLongLength(uint16_t vr) {
  switch (vr) {
    case 'O' << 8 | 'B':
    case 'O' << 8 | 'D':
    case 'O' << 8 | 'F':
    case 'O' << 8 | 'L':
    case 'O' << 8 | 'V':
    case 'O' << 8 | 'W':
    case 'S' << 8 | 'Q':
    case 'S' << 8 | 'V':
    case 'U' << 8 | 'C':
    case 'U' << 8 | 'N':
    case 'U' << 8 | 'R':
    case 'U' << 8 | 'T':
    case 'U' << 8 | 'V':
      return true;
    default:
      return false;
  }
}

// Text VRs whose value may contain backslashes (one value only).
bool IsSingleValuedText(uint16_t vr) {
  return vr == Vr('L', 'T') || vr == Vr('S', 'T') || vr == Vr('U', 'T') || vr == Vr('U', 'R');
}

uint32_t Key(const DcmTagKey& tag) {
  return (static_cast<uint32_t>(tag.getGroup()) << 16) | tag.getElement();
}

class NativeItem;

struct NativeElement {
  uint32_t tag = 0;
  uint16_t vr = 0;
  const uint8_t* value = nullptr;
  uint32_t length = 0;
  std::vector<NativeItem> items;  // for SQ
};

class NativeItem final : public ItemView {
 public:
  std::vector<NativeElement> elements;

  std::string GetString(const DcmTagKey& tag) const override;
  std::optional<double> GetNumber(const DcmTagKey& tag) const override;
  std::optional<size_t> CountItems(const DcmTagKey& sequence) const override {
    const NativeElement* e = Find(sequence);
    if (e == nullptr || e->vr != Vr('S', 'Q')) return std::nullopt;
    return e->items.size();
  }
  const ItemView* GetItem(const DcmTagKey& sequence, size_t index) const override {
    const NativeElement* e = Find(sequence);
    if (e == nullptr || index >= e->items.size()) return nullptr;
    return &e->items[index];
  }
  bool GetBytes(const DcmTagKey& tag, const uint8_t** data, size_t* size) const override {
    const NativeElement* e = Find(tag);
    if (e == nullptr) return false;
    *data = e->value;
    *size = e->length;
    return true;
  }

 private:
  const NativeElement* Find(const DcmTagKey& tag) const {
    const uint32_t key = Key(tag);
    for (const NativeElement& e : elements) {
      if (e.tag == key) return &e;
    }
    return nullptr;
  }
};

std::optional<double> BinaryNumber(const NativeElement& e) {
  auto load = [&](auto zero) -> std::optional<double> {
    if (e.length < sizeof(zero)) return std::nullopt;
    std::memcpy(&zero, e.value, sizeof(zero));
    return static_cast<double>(zero);
  };
  switch (e.vr) {
    case 'U' << 8 | 'S':
      return load(uint16_t{});
    case 'S' << 8 | 'S':
      return load(int16_t{});
    case 'U' << 8 | 'L':
      return load(uint32_t{});
    case 'S' << 8 | 'L':
      return load(int32_t{});
    case 'F' << 8 | 'L':
      return load(float{});
    case 'F' << 8 | 'D':
      return load(double{});
    default:
      return std::nullopt;
  }
}

std::string NativeItem::GetString(const DcmTagKey& tag) const {
  const NativeElement* e = Find(tag);
  if (e == nullptr || e->items.size() > 0) return {};
  if (auto number = BinaryNumber(*e)) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.17g", *number);
    return text;
  }
  std::string_view text(reinterpret_cast<const char*>(e->value), e->length);
  if (!IsSingleValuedText(e->vr)) text = text.substr(0, text.find('\\'));
  return std::string(TrimPadding(text));
}

std::optional<double> NativeItem::GetNumber(const DcmTagKey& tag) const {
  const NativeElement* e = Find(tag);
  if (e == nullptr || e->length == 0) return std::nullopt;
  if (auto number = BinaryNumber(*e)) return number;
  if (e->vr != Vr('D', 'S') && e->vr != Vr('I', 'S')) return std::nullopt;
  std::string_view text(reinterpret_cast<const char*>(e->value), e->length);
  const std::string first(TrimPadding(text.substr(0, text.find('\\'))));
  if (first.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(first.c_str(), &end);
  if (end != first.c_str() + first.size()) return std::nullopt;
  return value;
}

class NativeDicom final : public ParsedDicom {
 public:
  NativeItem root;
  const ItemView& dataset() const override { return root; }
};

// Thrown inside the parser when the file is valid DICOM that this parser does not handle.
struct NotHandled {};

class Reader {
 public:
  explicit Reader(const uint8_t* data) : data_(data) {}

  size_t pos() const { return pos_; }
  void set_pos(size_t pos) { pos_ = pos; }
  bool AtEnd(size_t end) const { return pos_ >= end; }

  // Reads one element header and value (recursing into sequences) ending at or before `end`.
  NativeElement ReadElement(size_t end, int depth) {
    const uint32_t tag = ReadTag(end);
    NativeElement e;
    e.tag = tag;
    if ((tag >> 16) == 0xFFFE) Fail(tag, "unexpected item or delimiter");
    Need(2, end, tag);
    e.vr = Vr(data_[pos_], data_[pos_ + 1]);
    pos_ += 2;
    uint32_t length;
    if (HasLongLength(e.vr)) {
      Need(6, end, tag);
      length = Load32(pos_ + 2);
      pos_ += 6;
    } else {
      Need(2, end, tag);
      length = static_cast<uint32_t>(data_[pos_] | (data_[pos_ + 1] << 8));
      pos_ += 2;
    }
    if (e.vr == Vr('S', 'Q')) {
      ReadSequence(&e, length, end, depth);
      return e;
    }
    if (length == kUndefinedLength) throw NotHandled{};
    Need(length, end, tag);
    e.value = data_ + pos_;
    e.length = length;
    pos_ += length;
    return e;
  }

  void ReadElements(NativeItem* item, size_t end, int depth, bool until_item_end) {
    while (pos_ < end) {
      if (until_item_end && PeekTag(end) == kItemEndTag) {
        pos_ += 8;
        return;
      }
      item->elements.push_back(ReadElement(end, depth));
    }
    if (until_item_end) Fail(0, "item without its delimiter");
  }

  [[noreturn]] void Fail(uint32_t tag, const std::string& what) const {
    char where[64];
    std::snprintf(where, sizeof(where), " at (%04X,%04X), byte %zu", tag >> 16, tag & 0xFFFF, pos_);
    throw Error::Corruption("DICOM: " + what + where + " (truncated or malformed file)");
  }

 private:
  void Need(size_t bytes, size_t end, uint32_t tag) const {
    if (bytes > end - pos_) Fail(tag, "value runs past the end of its container");
  }

  uint32_t Load32(size_t at) const {
    uint32_t v;
    std::memcpy(&v, data_ + at, 4);
    return v;
  }

  uint32_t PeekTag(size_t end) const {
    if (end - pos_ < 8) Fail(0, "truncated element header");
    const uint16_t group = static_cast<uint16_t>(data_[pos_] | (data_[pos_ + 1] << 8));
    const uint16_t element = static_cast<uint16_t>(data_[pos_ + 2] | (data_[pos_ + 3] << 8));
    return (static_cast<uint32_t>(group) << 16) | element;
  }

  uint32_t ReadTag(size_t end) {
    const uint32_t tag = PeekTag(end);
    pos_ += 4;
    return tag;
  }

  void ReadSequence(NativeElement* e, uint32_t length, size_t end, int depth) {
    if (depth >= kMaxDepth) Fail(e->tag, "sequences nested too deep");
    const bool undefined = length == kUndefinedLength;
    if (!undefined) Need(length, end, e->tag);
    const size_t seq_end = undefined ? end : pos_ + length;
    while (pos_ < seq_end) {
      const uint32_t tag = ReadTag(seq_end);
      const uint32_t item_length = Load32(pos_);
      pos_ += 4;
      if (tag == kSequenceEndTag) {
        if (!undefined) Fail(tag, "sequence delimiter in a defined-length sequence");
        return;
      }
      if (tag != kItemTag) Fail(tag, "expected a sequence item");
      e->items.emplace_back();
      if (item_length == kUndefinedLength) {
        ReadElements(&e->items.back(), seq_end, depth + 1, true);
      } else {
        Need(item_length, seq_end, tag);
        ReadElements(&e->items.back(), pos_ + item_length, depth + 1, false);
      }
    }
    if (undefined) Fail(e->tag, "sequence without its delimiter");
  }

  const uint8_t* data_;
  size_t pos_ = 0;
};

constexpr size_t kPreamble = 128;

}  // namespace

std::unique_ptr<ParsedDicom> ParseNative(const uint8_t* data, size_t size) {
  if (data == nullptr || size < kPreamble + 4 || std::memcmp(data + kPreamble, "DICM", 4) != 0) {
    return nullptr;
  }
  try {
    Reader reader(data);
    reader.set_pos(kPreamble + 4);
    NativeItem meta;
    while (!reader.AtEnd(size)) {
      const size_t start = reader.pos();
      if (size - start < 8) reader.Fail(0, "truncated meta header");
      const uint16_t group = static_cast<uint16_t>(data[start] | (data[start + 1] << 8));
      if (group != 0x0002) break;
      meta.elements.push_back(reader.ReadElement(size, 0));
    }
    if (meta.GetString(DcmTagKey(0x0002, 0x0010)) != kExplicitLittleEndian) return nullptr;
    auto parsed = std::make_unique<NativeDicom>();
    reader.ReadElements(&parsed->root, size, 0, false);
    return parsed;
  } catch (const NotHandled&) {
    return nullptr;
  }
}

}  // namespace ecg::dicom
