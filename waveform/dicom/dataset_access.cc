#include "waveform/dicom/dataset_access.h"

#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/oflog/oflog.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "waveform/dicom/length_guard.h"
#include "waveform/dicom/text.h"
#include "waveform/error.h"

namespace ecg::dicom {

namespace {

void InitialiseDcmtkOnce() {
  static const bool initialised = [] {
    // DCMTK logs parse warnings to stderr by default; our errors carry the reason instead.
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
    if (!dcmDataDict.isDictionaryLoaded()) {
      throw Error::Unavailable("DCMTK data dictionary is not loaded (check DCMDICTPATH)");
    }
    return true;
  }();
  (void)initialised;
}

std::string Trimmed(const OFString& value) {
  return std::string(TrimPadding(std::string_view(value.c_str(), value.length())));
}

}  // namespace

std::unique_ptr<DcmFileFormat> ParseDicom(const uint8_t* data, size_t size) {
  InitialiseDcmtkOnce();
  if (data == nullptr || size == 0) throw Error::Corruption("DICOM: empty input");
  CheckTopLevelLengths(data, size);
  DcmInputBufferStream stream;
  stream.setBuffer(data, static_cast<offile_off_t>(size));
  stream.setEos();
  auto file = std::make_unique<DcmFileFormat>();
  file->transferInit();
  const OFCondition status = file->read(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  file->transferEnd();
  if (status.bad()) {
    throw Error::Corruption(std::string("DICOM: cannot parse the file (") + status.text() +
                            "; truncated or not DICOM?)");
  }
  return file;
}

std::vector<uint8_t> SerialiseDicom(DcmFileFormat& file) {
  const E_TransferSyntax xfer = EXS_LittleEndianExplicit;
  file.validateMetaInfo(xfer);
  DcmDataset& dataset = *file.getDataset();
  const size_t capacity = dataset.getLength(xfer, EET_ExplicitLength) + 64 * 1024;
  std::vector<uint8_t> buffer(capacity);
  DcmOutputBufferStream stream(buffer.data(), static_cast<offile_off_t>(capacity));
  file.transferInit();
  const OFCondition status =
      file.write(stream, xfer, EET_ExplicitLength, nullptr, EGL_recalcGL, EPD_withoutPadding);
  file.transferEnd();
  if (status.bad())
    throw Error::InvalidArgument(std::string("DICOM: cannot write the dataset: ") + status.text());
  void* written = nullptr;
  offile_off_t length = 0;
  stream.flushBuffer(written, length);
  buffer.resize(static_cast<size_t>(length));
  return buffer;
}

std::string TagName(const DcmTagKey& tag) {
  DcmTag named(tag);
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "(%04X,%04X)", tag.getGroup(), tag.getElement());
  return std::string(buffer) + " " + named.getTagName();
}

std::string GetString(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  if (item.findAndGetOFString(tag, value).bad()) return {};
  return Trimmed(value);
}

std::optional<double> GetNumber(DcmItem& item, const DcmTagKey& tag) {
  DcmElement* element = nullptr;
  if (item.findAndGetElement(tag, element).bad() || element == nullptr) return std::nullopt;
  if (element->getLength() == 0) return std::nullopt;
  OFString text;
  if (element->getOFString(text, 0).bad()) return std::nullopt;
  const std::string trimmed = Trimmed(text);
  if (trimmed.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(trimmed.c_str(), &end);
  if (end != trimmed.c_str() + trimmed.size()) return std::nullopt;
  return value;
}

DcmItem* GetItem(DcmItem& item, const DcmTagKey& sequence, unsigned long index) {
  DcmItem* found = nullptr;
  if (item.findAndGetSequenceItem(sequence, found, static_cast<signed long>(index)).bad()) {
    return nullptr;
  }
  return found;
}

std::optional<unsigned long> CountItems(DcmItem& item, const DcmTagKey& sequence) {
  DcmSequenceOfItems* found = nullptr;
  if (item.findAndGetSequence(sequence, found).bad() || found == nullptr) return std::nullopt;
  return found->card();
}

}  // namespace ecg::dicom
