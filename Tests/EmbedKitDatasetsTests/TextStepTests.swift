import EmbedKitDatasets
import Testing

@Suite("Template, strip and missing values")
struct TextStepTests {
    @Test func stripFollowsPythonNotSwift() {
        #expect(PythonStrip.strip(" \t\n\u{0B}\u{0C}\r\u{1C}\u{85}\u{A0}\u{3000} hi there \u{2029}\u{202F}") == "hi there")
        // Python keeps the zero-width space and the BOM; Swift's isWhitespace would not matter here either way.
        #expect(PythonStrip.strip("\u{200B}x\u{FEFF}") == "\u{200B}x\u{FEFF}")
        #expect(PythonStrip.strip("   ") == "")
        #expect(PythonStrip.strip("") == "")
        #expect(PythonStrip.strip("a") == "a")
    }

    @Test func templateRendersColumnsAndBraces() throws {
        let template = try Template("Title: {Summary}; Content: {Text} {{x}}")
        #expect(template.columns == ["Summary", "Text"])
        let values = ["Summary": "  Good ", "Text": "\nTasty.\n"]
        #expect(template.render(strip: true) { values[$0] ?? "" } == "Title: Good; Content: Tasty. {x}")
        #expect(template.render(strip: false) { values[$0] ?? "" } == "Title:   Good ; Content: \nTasty.\n {x}")
    }

    @Test func badTemplatesSayWhy() {
        #expect(throws: DatasetError.self) { try Template("oops {Summary") }
        #expect(throws: DatasetError.self) { try Template("lone } brace") }
        #expect(throws: DatasetError.self) { try Template("{}") }
    }

    @Test func missingValuesArePandasDefaults() {
        for value in ["", "NA", "N/A", "NaN", "nan", "null", "None", "#N/A", "<NA>"] { #expect(MissingValues.isMissing(value)) }
        for value in [" ", "na", "0", "none", "NULL "] { #expect(!MissingValues.isMissing(value)) }
    }
}
