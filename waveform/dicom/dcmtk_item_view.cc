// ItemView over DCMTK's objects (the fallback for files the native parser does not handle), and
// ParseForDecoding, which picks the parser.
#include <dcmtk/dcmdata/dcsequen.h>

#include <unordered_map>

#include "waveform/dicom/dataset_access.h"
#include "waveform/dicom/item_view.h"
#include "waveform/dicom/native_parser.h"

namespace ecg::dicom {

namespace {

class DcmtkDicom;

class DcmtkItemView final : public ItemView {
 public:
  DcmtkItemView(DcmItem* item, const DcmtkDicom* owner) : item_(item), owner_(owner) {}

  std::string GetString(const DcmTagKey& tag) const override {
    return ecg::dicom::GetString(*item_, tag);
  }
  std::optional<double> GetNumber(const DcmTagKey& tag) const override {
    return ecg::dicom::GetNumber(*item_, tag);
  }
  std::optional<size_t> CountItems(const DcmTagKey& sequence) const override {
    return ecg::dicom::CountItems(*item_, sequence);
  }
  const ItemView* GetItem(const DcmTagKey& sequence, size_t index) const override;
  bool GetBytes(const DcmTagKey& tag, const uint8_t** data, size_t* size) const override;

 private:
  DcmItem* item_;
  const DcmtkDicom* owner_;
};

class DcmtkDicom final : public ParsedDicom {
 public:
  explicit DcmtkDicom(std::unique_ptr<DcmFileFormat> file)
      : file_(std::move(file)), root_(file_->getDataset(), this) {}
  const ItemView& dataset() const override { return root_; }

  // One view per DCMTK item, created on first use.
  const ItemView* ViewOf(DcmItem* item) const {
    auto& view = views_[item];
    if (!view) view = std::make_unique<DcmtkItemView>(item, this);
    return view.get();
  }

 private:
  std::unique_ptr<DcmFileFormat> file_;
  DcmtkItemView root_;
  mutable std::unordered_map<DcmItem*, std::unique_ptr<DcmtkItemView>> views_;
};

const ItemView* DcmtkItemView::GetItem(const DcmTagKey& sequence, size_t index) const {
  DcmItem* item = ecg::dicom::GetItem(*item_, sequence, index);
  return item == nullptr ? nullptr : owner_->ViewOf(item);
}

bool DcmtkItemView::GetBytes(const DcmTagKey& tag, const uint8_t** data, size_t* size) const {
  DcmElement* element = nullptr;
  if (item_->findAndGetElement(tag, element).bad() || element == nullptr) return false;
  *size = element->getLength();
  *data = nullptr;
  if (*size == 0) return true;
  if (element->getVR() == EVR_OW) {
    Uint16* words = nullptr;
    if (element->getUint16Array(words).bad() || words == nullptr) return false;
    *data = reinterpret_cast<const uint8_t*>(words);
    return true;
  }
  Uint8* bytes = nullptr;
  if (element->getUint8Array(bytes).bad() || bytes == nullptr) return false;
  *data = bytes;
  return true;
}

}  // namespace

std::unique_ptr<ParsedDicom> ParseForDecoding(const uint8_t* data, size_t size, bool prefer_dcmtk) {
  if (!prefer_dcmtk) {
    if (auto native = ParseNative(data, size)) return native;
  }
  return std::make_unique<DcmtkDicom>(ParseDicom(data, size));
}

}  // namespace ecg::dicom
